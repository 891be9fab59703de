"""What happens to a user's repository: update, drift, migrations, diagnostics."""
