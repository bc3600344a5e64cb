from django.core.management.base import BaseCommand

from webhooks.services import deliveries_resume


class Command(BaseCommand):
    help = "Enqueue every webhook delivery that is due but has no task (after a worker died, or without deferral)."

    def handle(self, *args, **options) -> None:
        count = deliveries_resume()
        self.stdout.write(f"{count} due deliveries enqueued")
