"""Counting views and clicks, rolling them up, and answering analytics queries."""
