"""Placeholder application package: replace with your service, keep the /healthz route."""
