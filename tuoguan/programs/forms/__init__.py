"""Forms of the programs pages: they parse input; the services judge it (programs.services)."""
