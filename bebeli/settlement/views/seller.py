"""Settlement pages (seller): being built."""
