"""Root conftest: the shared fixtures (real PostgreSQL / RabbitMQ, SQLite / memory) for every package."""

pytest_plugins = ["cap_shared.testing.fixtures"]
