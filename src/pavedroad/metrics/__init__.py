"""Gate records into a store (SQLite or PostgreSQL) and reports over them."""
