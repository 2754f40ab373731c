"""Per-person preferences: channels per event type, quiet hours, the digest hour."""
