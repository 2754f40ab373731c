"""API clients: the certification bodies' systems and their secrets."""
