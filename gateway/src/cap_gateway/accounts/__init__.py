"""Accounts: users, their memberships (roles and scopes), and the caller's own profile."""
