"""Domain logic as plain functions: they take the acting user, flush, and never commit."""
