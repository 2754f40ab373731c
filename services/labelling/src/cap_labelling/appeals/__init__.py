"""Appeals against decisions (ISO/IEC 17021-1 §9.7)."""
