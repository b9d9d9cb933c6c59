"""API-key authentication, permissions and the route guard."""
