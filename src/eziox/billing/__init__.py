"""Tiers and what each includes."""
