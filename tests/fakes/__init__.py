"""Fake providers: small ASGI apps that speak each provider's HTTP API, for tests."""
