"""Routers of the officers' admin API under /api/v1."""
