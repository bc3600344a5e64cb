from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from core.models import IdempotencyRecord


class Command(BaseCommand):
    help = "Delete idempotency records older than IDEMPOTENCY_TTL (default 24 hours)."

    def handle(self, *args, **options) -> None:
        cutoff = timezone.now() - settings.IDEMPOTENCY_TTL
        deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
        self.stdout.write(f"Deleted {deleted} idempotency records created before {cutoff.isoformat()}.")
