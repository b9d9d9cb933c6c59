"""Links on a bio page: ordered densely 0..n-1 per account."""
