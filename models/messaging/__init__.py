"""Messaging: the outbox, the sandbox inbox, provider tokens and inbound-event deduplication."""
