"""Pages of the orgs app: the union tree, a union's page, its changes and its people."""
