"""Concurrent retirements against PostgreSQL: real threads, real connections, real row locks."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from certificates.models import RetirementCertificate
from ledger.models import BlockStatus, CreditBlock, LedgerEntry
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.ledger.factories import issue

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

URL = "/api/retire/"


def post_together(requests: list[tuple]) -> list[int]:
    """Send each ``(client, body, headers)`` from its own thread (one client each), all released at once."""
    barrier = threading.Barrier(len(requests))
    statuses: list[int] = [0] * len(requests)

    def send(index: int, client, body, headers) -> None:
        try:
            barrier.wait(timeout=10)
            statuses[index] = client.post(URL, body, format="json", **headers).status_code
        finally:
            connection.close()  # each thread has its own connection; leave none open

    threads = [threading.Thread(target=send, args=(i, *request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def body(block, quantity_kg):
    return {"block": block.pk, "quantity_kg": quantity_kg, "beneficiary": "Acme", "reason": "race"}


def retired_kg(project) -> int:
    blocks = CreditBlock.objects.filter(project=project, status=BlockStatus.RETIRED)
    return sum(block.quantity_kg for block in blocks)


def test_concurrent_retirements_never_exceed_the_block():
    user = UserFactory.create()
    block = issue(owner=user.organization, quantity_kg=1000, buffer_share=Decimal(0)).owner_block
    statuses = post_together([(client_for(user), body(block, 300), {}) for _ in range(8)])

    assert set(statuses) <= {201, 409}, statuses
    assert statuses.count(201) == 3, "3 x 300 kg fit in 1000 kg; the fourth does not"
    assert retired_kg(block.project) == 900
    assert RetirementCertificate.objects.count() == 3
    assert LedgerEntry.objects.filter(kind="retire").count() == 3
    block.refresh_from_db()
    assert (block.quantity_kg, block.status) == (100, BlockStatus.AVAILABLE)


def test_concurrent_retirements_of_a_whole_block_succeed_once():
    user = UserFactory.create()
    block = issue(owner=user.organization, quantity_kg=500, buffer_share=Decimal(0)).owner_block
    statuses = post_together([(client_for(user), body(block, 500), {}) for _ in range(6)])

    assert sorted(statuses) == [201] + [409] * 5
    assert retired_kg(block.project) == 500
    assert RetirementCertificate.objects.count() == 1


def test_concurrent_replays_of_one_idempotency_key_retire_once():
    user = UserFactory.create()
    block = issue(owner=user.organization, quantity_kg=1000, buffer_share=Decimal(0)).owner_block
    headers = {"HTTP_IDEMPOTENCY_KEY": "retire-once"}

    statuses = post_together([(client_for(user), body(block, 100), headers) for _ in range(6)])

    assert statuses == [201] * 6, "every replay answers as the first request did"
    assert retired_kg(block.project) == 100
    assert RetirementCertificate.objects.count() == 1
