"""Appeals against findings (ISO/IEC 17021-1 §9.7)."""
