from django.core.management.base import BaseCommand

from verification.ml import training


class Command(BaseCommand):
    help = "Train the screening model reproducibly and write verification/ml/screening_model.{skops,json}."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=training.DEFAULT_SEED)
        parser.add_argument("--n", type=int, default=training.DEFAULT_SIZE, help="Synthetic claims to draw.")

    def handle(self, *args, seed: int, n: int, **options):
        metadata = training.train_and_save(seed=seed, n=n)
        held_out = metadata["held_out"]
        self.stdout.write(
            f"{metadata['version']}: AUC {held_out['model']['auc']}, Brier {held_out['model']['brier']}, "
            f"honest approved {held_out['engine']['honest_approved_share']:.1%}, sha256 {metadata['sha256'][:12]}"
        )
