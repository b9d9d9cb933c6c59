"""Custom domains: claim a hostname, prove it through DNS, serve the page on it."""
