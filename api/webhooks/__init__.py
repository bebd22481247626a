"""The providers' webhooks: inbound messages and delivery reports."""

from api.webhooks.providers import PROVIDERS, WebhookAdapters, build_webhook_adapters
from api.webhooks.routes import router

__all__ = ["PROVIDERS", "WebhookAdapters", "build_webhook_adapters", "router"]
