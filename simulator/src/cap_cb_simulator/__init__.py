"""A certification body's system, simulated (tests and demos)."""
