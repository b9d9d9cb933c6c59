"""Accounts and the profile they show."""
