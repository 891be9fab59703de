"""What happens to a user's repository: new, update, drift, migrations, diagnostics."""
