"""Small shared pieces: ids, base62, time, JSON responses."""
