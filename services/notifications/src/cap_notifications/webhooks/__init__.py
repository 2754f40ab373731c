"""Outbound webhooks: subscriptions, their delivery queue, the signed sender and its retry rules."""
