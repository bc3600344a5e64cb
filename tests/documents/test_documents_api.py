"""Evidence uploads: type from the content, one copy per SHA-256 in the whole registry, nothing stored on
any refusal, and only the owner (or a verifier, once the file backs a claim or request) reads it."""

import functools
import hashlib
import os

import pytest
from django.core.files.storage import FileSystemStorage, storages
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.models import Document
from documents.services import storage_name_for
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.verification.concurrency import outcomes, race

URL = "/api/documents/"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
CSV = b"meter_id,unit,start,end,value\nMTR-1,kWh,2024-01-01,2024-01-31,1234.5\n"

pytestmark = pytest.mark.django_db


def upload(client, content: bytes, *, name="evidence.pdf", kind="utility_bill", content_type="application/pdf"):
    file = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(URL, {"file": file, "kind": kind}, format="multipart")


def stored_files() -> list[str]:
    storage = storages["documents"]
    assert isinstance(storage, FileSystemStorage)
    found = []
    for root, _dirs, files in os.walk(storage.location):
        found += [os.path.join(root, name) for name in files]
    return found


def unique(content: bytes) -> bytes:
    """The same kind of file with bytes no other test uploads (the SHA-256 is registry-wide)."""
    return content + os.urandom(8).hex().encode()


@pytest.mark.parametrize(
    ("content", "name", "claimed_type", "sniffed"),
    [
        (PDF, "bill.pdf", "application/pdf", "application/pdf"),
        (PNG, "meter.png", "image/png", "image/png"),
        (JPEG, "photo.jpg", "image/jpeg", "image/jpeg"),
        (CSV, "readings.csv", "text/csv", "text/csv"),
        # The name and the client's content type are not trusted: the bytes decide.
        (PDF, "readings.csv", "text/csv", "application/pdf"),
        (CSV, "scan.pdf", "application/pdf", "text/csv"),
    ],
)
def test_upload_stores_the_file_under_its_hash_with_the_sniffed_type(auth_client, user, content, name, claimed_type,
                                                                     sniffed):  # fmt: skip
    content = unique(content) if sniffed != "text/csv" else content + f"MTR-2,kWh,x,y,{os.urandom(4).hex()}\n".encode()
    response = upload(auth_client, content, name=name, content_type=claimed_type)

    assert response.status_code == 201, response.content
    body = response.json()
    digest = hashlib.sha256(content).hexdigest()
    assert body == {
        "id": body["id"],
        "sha256": digest,
        "size_bytes": len(content),
        "content_type": sniffed,
        "kind": "utility_bill",
        "original_name": name,
        "uploaded_at": body["uploaded_at"],
        "submitted_at": None,
    }
    document = Document.objects.get(pk=body["id"])
    assert document.owner == user.organization and document.storage_name == storage_name_for(digest)
    with storages["documents"].open(document.storage_name, "rb") as handle:
        assert handle.read() == content


def test_the_same_file_uploaded_twice_is_409_and_stored_once(auth_client):
    """Attack: one bill, uploaded again (by anyone) to back a second claim."""
    content = unique(PDF)
    first = upload(auth_client, content, name="bill-jan.pdf")
    before = stored_files()

    again = upload(auth_client, content, name="bill-jan-copy.pdf", kind="invoice")
    other_org = upload(client_for(UserFactory.create()), content, name="not-yours.pdf")

    assert first.status_code == 201
    for response in (again, other_org):
        assert response.status_code == 409, response.content
        assert response.json()["code"] == "document_reused"
    assert Document.objects.filter(sha256=hashlib.sha256(content).hexdigest()).count() == 1
    assert stored_files() == before


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (b"<html><script>alert(1)</script></html>", "bill.pdf", "application/pdf"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "meter.csv", "text/csv"),
        (b"PK\x03\x04\x14\x00\x06\x00", "bill.xlsx", "application/vnd.ms-excel"),
        (b"just one column of text\nno commas at all\n", "readings.csv", "text/csv"),
        (b"a,b\n\xff\xfe not utf-8\n", "readings.csv", "text/csv"),
        (b"a,b\x00c\n1,2\n", "readings.csv", "text/csv"),
        (b'a,"b\n1,2\n', "readings.csv", "text/csv"),
    ],
    ids=["html-named-pdf", "exe", "zip", "one-column-text", "not-utf8", "nul-byte", "bad-quote"],
)
def test_a_file_of_another_type_is_415_and_nothing_is_stored(auth_client, content, name, content_type):
    before = stored_files()

    response = upload(auth_client, content, name=name, content_type=content_type)

    assert response.status_code == 415, response.content
    assert response.json()["code"] == "document_type_not_accepted"
    assert not Document.objects.exists()
    assert stored_files() == before


def test_an_empty_file_is_400_and_nothing_is_stored(auth_client):
    before = stored_files()

    response = upload(auth_client, b"", name="empty.pdf")

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "document_empty"
    assert not Document.objects.exists()
    assert stored_files() == before


def test_a_file_above_the_limit_is_413_and_nothing_is_stored(auth_client, settings):
    settings.DOCUMENT_MAX_BYTES = 1000
    before = stored_files()

    at_limit = upload(auth_client, PDF + b"%" * (1000 - len(PDF)))
    over = upload(auth_client, PDF + b"%" * (1001 - len(PDF)) + b"x")

    assert at_limit.status_code == 201, at_limit.content
    assert over.status_code == 413, over.content
    assert over.json()["code"] == "document_too_large"
    assert Document.objects.count() == 1
    assert len(stored_files()) == len(before) + 1


def test_a_body_above_the_upload_limit_is_refused_before_it_is_read(auth_client, settings):
    """The general 1 MiB body limit does not apply to uploads (up to DOCUMENT_MAX_BYTES plus the envelope);
    above that the middleware answers 413 without parsing anything."""
    settings.UPLOAD_MAX_BODY_BYTES = 4 * 1024 * 1024
    settings.DOCUMENT_MAX_BYTES = 4 * 1024 * 1024 - 64 * 1024
    two_mib = upload(auth_client, unique(PDF) + b"%" * (2 * 1024 * 1024))
    too_big = upload(auth_client, unique(PDF) + b"%" * (5 * 1024 * 1024))

    assert two_mib.status_code == 201, two_mib.content
    assert too_big.status_code == 413
    assert Document.objects.count() == 1


def test_kind_and_file_are_required(auth_client):
    no_file = auth_client.post(URL, {"kind": "invoice"}, format="multipart")
    bad_kind = upload(auth_client, unique(PDF), kind="selfie")
    json_body = auth_client.post(URL, {"kind": "invoice"}, format="json")

    assert no_file.status_code == 400 and "file" in no_file.json()["errors"]
    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()["errors"]
    assert json_body.status_code == 415
    assert not Document.objects.exists()


def test_metadata_and_file_are_the_owners_only(auth_client, verifier_client):
    content = unique(PNG)
    document = upload(auth_client, content, name="roof.png", kind="photo", content_type="image/png").json()
    other = client_for(UserFactory.create())

    meta = auth_client.get(f"{URL}{document['id']}/")
    file = auth_client.get(f"{URL}{document['id']}/file/")

    assert meta.status_code == 200 and meta.json() == document
    assert file.status_code == 200
    assert file["Content-Type"] == "image/png"
    assert f'filename="{document["sha256"]}.png"' in file["Content-Disposition"]
    assert b"".join(file.streaming_content) == content
    assert auth_client.get(URL).json()["count"] == 1
    for client in (other, verifier_client):  # not submitted behind anything yet: the owner's alone
        assert client.get(f"{URL}{document['id']}/").status_code == 404
        assert client.get(f"{URL}{document['id']}/file/").status_code == 404
    assert other.get(URL).json()["count"] == 0


def test_verifiers_read_documents_behind_a_verification_request(verifier_client):
    client = client_for(UserFactory.create(organization__verification_status="unverified"))
    document = upload(client, unique(PDF), name="extract.pdf", kind="registration_extract").json()
    body = {"legal_name": "SME Ltd", "registration_number": "01234567", "documents": [document["id"]]}
    assert client.post("/api/organization/verification/", body, format="json").status_code == 202

    meta = verifier_client.get(f"{URL}{document['id']}/")

    assert meta.status_code == 200 and meta.json()["submitted_at"] is not None
    assert verifier_client.get(f"{URL}{document['id']}/file/").status_code == 200


def test_document_list_query_count_is_constant(auth_client, django_assert_max_num_queries):
    for _ in range(3):
        upload(auth_client, unique(PDF))

    with django_assert_max_num_queries(3):
        response = auth_client.get(URL)

    assert response.json()["count"] == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_racing_uploads_of_one_file_store_it_once():
    content = unique(PDF)
    clients = [client_for(UserFactory.create()) for _ in range(2)]

    responses = race([functools.partial(upload, client, content) for client in clients])

    assert outcomes(responses) == ["201", "409"], responses
    assert Document.objects.count() == 1
    assert [path for path in stored_files() if path.endswith(hashlib.sha256(content).hexdigest())]
