"""Sign-in: tokens (password, refresh, client credentials, OAuth code), signing keys, JWKS."""
