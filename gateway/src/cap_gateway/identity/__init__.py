"""Identity: organisations (tenants) — users, roles and tokens come with the identity issue."""
