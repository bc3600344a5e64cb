"""Finding 9b: a body sent with ``Transfer-Encoding: chunked`` (no ``Content-Length``) is read.

Django reads ``CONTENT_LENGTH`` bytes of a WSGI request's body; gunicorn passes a chunked body on
without one, so it was read as empty: a request answered as if nothing had been sent. The choice
(core/wsgi.py, docs/DEPLOY.md): read it — HTTP/1.1 clients stream bodies of unknown length this
way — within the same limit as any body (``MAX_BODY_BYTES``, 413 beyond). Django's test client
cannot send a chunked request, so these tests start a real gunicorn against the test database.
"""

import http.client
import io
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from django.conf import settings

from core.wsgi import ChunkedRequestBody

LIMIT = 64 * 1024  # MAX_BODY_BYTES of the server under test
# An otherwise valid registration with one bad field: read, it is a 400 naming only that field
# (and writes nothing); read as empty, it is a 400 naming every required field.
BODY = {
    "email": "not-an-address",
    "password": "a-long-unusual-passphrase-42",
    "organization_name": "Chunked Ltd",
    "country": "GB",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def gunicorn(django_db_setup, django_db_blocker) -> Iterator[int]:
    """A gunicorn serving the project on the test database; yields its port."""
    port = _free_port()
    database = settings.DATABASES["default"]
    env = {
        **{key: value for key, value in os.environ.items() if key in {"PATH", "HOME"}},
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "SECRET_KEY": "chunked-test-" + "k" * 50,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "THROTTLE_RATES": "off",
        "MAX_BODY_BYTES": str(LIMIT),
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "gunicorn", "carboncred.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection_.request("GET", "/healthz")
                if connection_.getresponse().status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def post(port: int, path: str, chunks: list[bytes] | bytes, *, chunked: bool):
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/json"}
    if chunked:
        parts: list[bytes] = chunks if isinstance(chunks, list) else [chunks]
        client.request("POST", path, body=iter(parts), headers=headers, encode_chunked=True)
    else:
        client.request("POST", path, body=b"".join(chunks) if isinstance(chunks, list) else chunks, headers=headers)
    response = client.getresponse()
    return response.status, response.read()


def in_chunks(data: bytes, size: int = 7) -> list[bytes]:
    return [data[offset : offset + size] for offset in range(0, len(data), size)]


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_chunked_body_is_read_like_one_with_a_content_length(gunicorn):
    data = json.dumps(BODY).encode()

    plain = post(gunicorn, "/api/auth/register/", data, chunked=False)
    chunked = post(gunicorn, "/api/auth/register/", in_chunks(data), chunked=True)

    assert plain[0] == chunked[0] == 400
    assert set(json.loads(chunked[1])["errors"]) == {"email"}, chunked[1]
    assert json.loads(chunked[1]) == json.loads(plain[1])


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_chunked_body_over_the_limit_is_413(gunicorn):
    too_big = json.dumps({**BODY, "organization_name": "x" * (LIMIT + 1)}).encode()

    status, content = post(gunicorn, "/api/auth/register/", in_chunks(too_big, 4096), chunked=True)

    assert status == 413
    assert json.loads(content)["code"] == "request_too_large"


# --- the middleware alone, under any server --------------------------------------------------------


class Recorder:
    """A WSGI application that keeps what it was given."""

    environ: dict | None = None

    def __call__(self, environ, start_response):
        self.environ = {**environ, "body": environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))}
        start_response("204 No Content", [])
        return []


def call(environ: dict) -> tuple[str, bytes, Recorder]:
    inner, answer = Recorder(), dict[str, str]()
    content = b"".join(ChunkedRequestBody(inner)(environ, lambda status, headers: answer.update(status=status)))
    return answer["status"], content, inner


def chunked_environ(body: bytes, **extra) -> dict:
    return {"REQUEST_METHOD": "POST", "HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(body), **extra}


def test_the_middleware_hands_on_a_chunked_body_with_its_length():
    status, _, inner = call(chunked_environ(b'{"a": 1}', **{"wsgi.input_terminated": True}))

    assert status.startswith("204")
    assert inner.environ is not None
    assert inner.environ["CONTENT_LENGTH"] == "8"
    assert inner.environ["body"] == b'{"a": 1}'


def test_under_a_server_that_does_not_end_the_input_a_chunked_body_is_411():
    status, content, inner = call(chunked_environ(b'{"a": 1}'))

    assert status.startswith("411")
    assert json.loads(content)["code"] == "length_required"
    assert inner.environ is None


def test_the_middleware_applies_the_body_limit(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    status, content, inner = call(chunked_environ(b"x" * 11, **{"wsgi.input_terminated": True}))

    assert status.startswith("413")
    assert json.loads(content)["code"] == "request_too_large"
    assert inner.environ is None


def test_a_chunked_file_upload_has_the_upload_limit(settings):
    """POST /api/documents/ may carry more than MAX_BODY_BYTES (core.middleware.body_limit), chunked too."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    settings.UPLOAD_MAX_BODY_BYTES = 100
    upload = {"wsgi.input_terminated": True, "PATH_INFO": "/api/documents/"}

    status, _, inner = call(chunked_environ(b"x" * 100, **upload))
    assert status.startswith("204")
    assert inner.environ is not None
    assert inner.environ["body"] == b"x" * 100

    status, content, _ = call(chunked_environ(b"x" * 101, **upload))
    assert status.startswith("413")
    assert json.loads(content)["code"] == "request_too_large"

    # Elsewhere the general limit holds.
    status, _, _ = call(chunked_environ(b"x" * 11, **{"wsgi.input_terminated": True, "PATH_INFO": "/api/projects/"}))
    assert status.startswith("413")


def test_a_body_with_a_content_length_passes_untouched():
    status, _, inner = call({"REQUEST_METHOD": "POST", "CONTENT_LENGTH": "2", "wsgi.input": io.BytesIO(b"{}")})

    assert status.startswith("204")
    assert inner.environ is not None
    assert inner.environ["body"] == b"{}"
