"""API keys: creation, listing, revocation, and the checksummed key format."""
