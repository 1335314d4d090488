"""glassml."""
