"""CMS integration: the signed webhook's scheme and its durable delivery queue.

signing.py (Stripe-style HMAC-SHA256 signatures), queue.py (the `webhook_deliveries` queue and
the worker thread that scores deliveries through the store's ScoringService). The HTTP route
lives with the rest of the API (service/api/webhooks.py) and uses the names exported here;
the WordPress plugin is in integrations/wordpress/.
"""

from __future__ import annotations

from . import signing
from .queue import DeliveryQueue, ReplayError, WebhookWorker, aware

__all__ = ["DeliveryQueue", "ReplayError", "WebhookWorker", "aware", "signing"]
