"""Settlement pages (reconciliation): being built."""
