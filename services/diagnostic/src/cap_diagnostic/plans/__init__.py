"""Progress plans: one living plan per organisation, its actions, reviews and reminders."""
