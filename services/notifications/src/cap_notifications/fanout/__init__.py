"""From one event to its notifications, e-mails, digest items and webhook deliveries: who is
told (recipients), in which words (messages), on which channels (preferences)."""
