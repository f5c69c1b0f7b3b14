"""Settlement pages (admin): being built."""
