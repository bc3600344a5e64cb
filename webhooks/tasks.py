"""Webhook deliveries through Django's tasks framework (the ``default`` queue ``manage.py db_worker`` runs).

Each attempt is one task run; a failed attempt enqueues the next with ``run_after`` (exponential
backoff: ``webhooks.services.retry_delay``). A backend that cannot defer tasks (the immediate backend of
the tests) makes the first attempt at once and leaves later ones due in the database, where
``manage.py webhooks_resume`` picks them up.
"""

import logging
from datetime import datetime

from django.tasks import task

from webhooks.models import WebhookAttempt
from webhooks.services import delivery_attempt

logger = logging.getLogger(__name__)


@task()
def webhook_deliver_task(delivery_id: int, attempts: int, trigger: str = WebhookAttempt.Trigger.AUTOMATIC) -> str:
    """One attempt of a delivery (see ``webhooks.services.delivery_attempt``)."""
    return delivery_attempt(delivery_id=delivery_id, attempts=attempts, trigger=trigger)


def delivery_enqueue(
    *,
    delivery_id: int,
    attempts: int,
    run_after: datetime | None = None,
    trigger: str = WebhookAttempt.Trigger.AUTOMATIC,
) -> bool:
    """Enqueue an attempt, deferred to ``run_after`` where the backend can defer. Returns whether it was
    enqueued (a later attempt on a backend that cannot defer waits for ``webhooks_resume``)."""
    if run_after is not None:
        if not webhook_deliver_task.get_backend().supports_defer:
            return False
        webhook_deliver_task.using(run_after=run_after).enqueue(delivery_id, attempts, trigger)
        return True
    webhook_deliver_task.enqueue(delivery_id, attempts, trigger)
    return True
