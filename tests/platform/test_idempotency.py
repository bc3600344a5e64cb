import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.models import Organization
from core.models import IdempotencyRecord
from tests.accounts.factories import UserFactory
from tests.conftest import client_for

URL = "/api/test/idempotent/"
pytestmark = pytest.mark.urls("tests.urls")


def post(client, body, key):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(URL, body, format="json", **headers)


@pytest.mark.django_db
def test_repeat_with_same_key_replays_first_response_and_acts_once(auth_client):
    first = post(auth_client, {"name": "Once Ltd"}, "key-1")
    second = post(auth_client, {"name": "Once Ltd"}, "key-1")

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert Organization.objects.filter(name="Once Ltd").count() == 1


@pytest.mark.django_db
def test_same_key_with_another_body_is_422_and_does_nothing(auth_client):
    post(auth_client, {"name": "Once Ltd"}, "key-1")

    response = post(auth_client, {"name": "Twice Ltd"}, "key-1")

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert not Organization.objects.filter(name="Twice Ltd").exists()


@pytest.mark.django_db
def test_without_a_key_every_request_acts(auth_client):
    post(auth_client, {"name": "Many Ltd"}, None)
    post(auth_client, {"name": "Many Ltd"}, None)

    assert Organization.objects.filter(name="Many Ltd").count() == 2
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
def test_keys_belong_to_one_user(user):
    other = UserFactory.create()

    post(client_for(user), {"name": "Mine Ltd"}, "shared-key")
    response = post(client_for(other), {"name": "Theirs Ltd"}, "shared-key")

    assert response.status_code == 201
    assert response.json()["name"] == "Theirs Ltd"


@pytest.mark.django_db
def test_failed_request_stores_nothing_and_the_key_can_be_retried(auth_client):
    failed = post(auth_client, {"name": "Flaky Ltd", "fail": True}, "key-2")

    assert failed.status_code == 409
    assert not Organization.objects.filter(name="Flaky Ltd").exists(), "the effect was rolled back"
    assert not IdempotencyRecord.objects.exists()
    retried = post(auth_client, {"name": "Flaky Ltd"}, "key-2")
    assert retried.status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "   ", "k" * 256])
def test_empty_or_overlong_key_is_400(auth_client, key):
    response = post(auth_client, {"name": "X Ltd"}, key)

    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_invalid"
    assert not Organization.objects.filter(name="X Ltd").exists()


@pytest.mark.django_db
def test_expired_records_are_purged_and_no_longer_replayed(auth_client, settings):
    post(auth_client, {"name": "Old Ltd"}, "key-3")
    IdempotencyRecord.objects.update(created_at=timezone.now() - settings.IDEMPOTENCY_TTL - timedelta(minutes=1))

    call_command("idempotency_purge")

    assert not IdempotencyRecord.objects.exists()
    assert post(auth_client, {"name": "Old Ltd"}, "key-3").status_code == 201
    assert Organization.objects.filter(name="Old Ltd").count() == 2


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_act_once_and_all_get_the_first_response():
    user = UserFactory.create()
    workers = 8
    barrier = threading.Barrier(workers)
    responses = []

    def send():
        try:
            client = client_for(user)
            barrier.wait()
            responses.append(post(client, {"name": "Race Ltd", "delay_ms": 300}, "race-key"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [r.status_code for r in responses] == [201] * workers
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == workers - 1
    assert Organization.objects.filter(name="Race Ltd").count() == 1


@pytest.mark.django_db
def test_an_expired_record_not_yet_purged_no_longer_holds_its_key(auth_client, settings):
    first = post(auth_client, {"name": "Stale Ltd"}, "key-4")
    IdempotencyRecord.objects.update(created_at=timezone.now() - settings.IDEMPOTENCY_TTL - timedelta(minutes=1))

    again = post(auth_client, {"name": "Stale Ltd"}, "key-4")

    assert again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") is None
    assert again.json()["id"] != first.json()["id"]
    assert Organization.objects.filter(name="Stale Ltd").count() == 2
    record = IdempotencyRecord.objects.get()
    assert record.response_body is not None
    assert record.response_body["id"] == again.json()["id"]
    assert post(auth_client, {"name": "Stale Ltd"}, "key-4").headers.get("Idempotent-Replayed") == "true"
