"""The registry's checkpoint signing keys: read from files outside the database, never stored in it.

* ``LEDGER_SIGNING_KEY_FILE`` — the current Ed25519 key. It signs every new checkpoint, and its
  verifier key is the one ``GET /api/ledger/public-key/`` publishes. Unset, a key is generated once
  under ``var/`` (as the secret key is).
* ``LEDGER_COSIGNING_KEY_FILES`` — during a rotation, the old key: it signs each new checkpoint too,
  so auditors still pinned to it keep verifying (docs/AUDITOR.md, "Rotating the key").
* ``LEDGER_PREVIOUS_PUBLIC_KEYS`` — retired keys, as C2SP verifier key strings: published beside the
  current one and trusted by ``ledger_verify`` for the checkpoints they signed.

Every key is named after the log's origin (``LEDGER_ORIGIN``). Keys are loaded on first use and kept
per process; a change of these settings (tests) drops them.
"""

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from ledger import notes

_SETTINGS = frozenset(
    {
        "LEDGER_SIGNING_KEY_FILE",
        "LEDGER_SIGNING_KEY_GENERATE",
        "LEDGER_COSIGNING_KEY_FILES",
        "LEDGER_PREVIOUS_PUBLIC_KEYS",
        "LEDGER_ORIGIN",
    }
)


@dataclass(frozen=True)
class KeyRing:
    origin: str
    signer: notes.Signer
    cosigners: tuple[notes.Signer, ...]
    previous: tuple[notes.Verifier, ...]

    @property
    def verifier(self) -> notes.Verifier:
        """The current key, as published."""
        return self.signer.verifier

    @property
    def older_verifiers(self) -> list[notes.Verifier]:
        """Keys other than the current one that signed (or still cosign) checkpoints, without repeats."""
        seen = {self.verifier.encoded()}
        older = []
        for verifier in [*(signer.verifier for signer in self.cosigners), *self.previous]:
            if verifier.encoded() not in seen:
                seen.add(verifier.encoded())
                older.append(verifier)
        return older

    @property
    def verifiers(self) -> list[notes.Verifier]:
        """Every key a checkpoint of this registry may be signed by."""
        return [self.verifier, *self.older_verifiers]

    def sign_checkpoint(self, *, size: int, root: bytes) -> str:
        return notes.sign_checkpoint(
            origin=self.origin, size=size, root=root, signer=self.signer, cosigners=self.cosigners
        )


_ring: KeyRing | None = None


def _private_key(path: Path, *, create: bool, setting: str) -> Ed25519PrivateKey:
    try:
        return notes.private_key_from_file(path, create=create)
    except FileNotFoundError:
        raise ImproperlyConfigured(f"{setting}: the key file {path} does not exist") from None
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(f"{setting}: cannot read an Ed25519 private key from {path}: {error}") from None


def _load() -> KeyRing:
    origin = settings.LEDGER_ORIGIN
    if not notes.is_valid_name(origin):
        raise ImproperlyConfigured(f"LEDGER_ORIGIN {origin!r} is not a valid key name (no spaces, no '+')")
    key = _private_key(
        Path(settings.LEDGER_SIGNING_KEY_FILE),
        create=settings.LEDGER_SIGNING_KEY_GENERATE,
        setting="LEDGER_SIGNING_KEY_FILE",
    )
    cosigners = tuple(
        notes.Signer(
            name=origin, private_key=_private_key(Path(path), create=False, setting="LEDGER_COSIGNING_KEY_FILES")
        )
        for path in settings.LEDGER_COSIGNING_KEY_FILES
    )
    previous = []
    for vkey in settings.LEDGER_PREVIOUS_PUBLIC_KEYS:
        try:
            previous.append(notes.parse_verifier_key(vkey))
        except ValueError as error:
            raise ImproperlyConfigured(f"LEDGER_PREVIOUS_PUBLIC_KEYS: {error}") from None
    return KeyRing(
        origin=origin, signer=notes.Signer(name=origin, private_key=key), cosigners=cosigners, previous=tuple(previous)
    )


def key_ring() -> KeyRing:
    """The keys of this registry (loaded, or generated under var/, on first use).

    Raises ImproperlyConfigured when a configured key file is missing or unreadable.
    """
    global _ring  # one ring per process, dropped when the settings change
    if _ring is None:
        _ring = _load()
    return _ring


@receiver(setting_changed)
def _drop_keys(*, setting: str, **kwargs: object) -> None:
    global _ring
    if setting in _SETTINGS:
        _ring = None
