"""Django's PostgreSQL backend, with its health check skipped on a connection in use (base.py)."""
