"""Impartiality of those who audit and decide (ISO/IEC 17021-1 §5.2)."""
