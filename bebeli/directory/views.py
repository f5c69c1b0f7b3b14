"""Directory screens (ASN and agencies)."""
