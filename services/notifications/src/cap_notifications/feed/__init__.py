"""The in-app feed: a person's notifications, marking them read, and their live stream."""
