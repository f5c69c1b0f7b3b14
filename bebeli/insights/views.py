"""The seller's insight pages (`/toko/wawasan`)."""
from bebeli.insights import bp  # noqa: F401
