import json
import logging

import pytest

from core.logcontext import ContextFilter


@pytest.mark.django_db
def test_request_id_is_honoured_and_returned(auth_client):
    response = auth_client.get("/api/me/", HTTP_X_REQUEST_ID="trace-abc.123")

    assert response.headers["X-Request-ID"] == "trace-abc.123"


@pytest.mark.django_db
@pytest.mark.parametrize("header", [None, "", "bad\nid", "x" * 129, "spaces are not allowed"])
def test_missing_or_unsafe_request_id_is_replaced(auth_client, header):
    kwargs = {} if header is None else {"HTTP_X_REQUEST_ID": header}

    response = auth_client.get("/api/me/", **kwargs)

    generated = response.headers["X-Request-ID"]
    assert generated != header
    assert len(generated) == 32
    assert int(generated, 16) >= 0


@pytest.mark.django_db
def test_access_log_carries_request_id_and_organization_but_no_token(auth_client, user, caplog):
    with caplog.at_level(logging.INFO, logger="carboncred.request"):
        response = auth_client.get("/api/me/", HTTP_X_REQUEST_ID="req-42")

    [record] = [r for r in caplog.records if r.name == "carboncred.request"]
    assert record.request_id == "req-42"
    assert record.organization_id == user.organization_id
    assert record.status == 200
    line = json.loads(_json_line(record))
    assert line["request_id"] == "req-42"
    assert line["organization_id"] == user.organization_id
    token = auth_client._credentials["HTTP_AUTHORIZATION"].split()[1]
    assert token not in json.dumps(line)
    assert response.status_code == 200


def _json_line(record: logging.LogRecord) -> str:
    from pythonjsonlogger.json import JsonFormatter

    ContextFilter().filter(record)
    return JsonFormatter("%(levelname)s %(name)s %(message)s %(request_id)s %(organization_id)s").format(record)
