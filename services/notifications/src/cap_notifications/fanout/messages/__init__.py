"""The wording of every notified event (French: the people notified read it), by area."""
