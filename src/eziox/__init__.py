"""Eziox: a self-hostable link-in-bio platform with a public REST API."""

__version__ = "0.1.0"
