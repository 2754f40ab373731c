"""The certification-body integration: the published contract, signed webhooks from bodies."""
