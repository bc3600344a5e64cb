import socket

import pytest

from tests.webhooks.receiver import Receiver

PUBLIC_ADDRESS = "93.184.215.14"  # a public address; nothing connects to it in these tests


@pytest.fixture
def receiver(settings):
    """A live receiver on 127.0.0.1; loopback endpoints are allowed for the test (WEBHOOK_ALLOW_PRIVATE)."""
    settings.WEBHOOK_ALLOW_PRIVATE = True
    started = Receiver(port=0).start()
    yield started
    started.stop()


@pytest.fixture
def fake_dns(monkeypatch):
    """Names resolved as the test says (no network): ``fake_dns["hooks.example.com"] = "10.0.0.7"``."""
    table: dict[str, str] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in table:
            family = socket.AF_INET6 if ":" in table[host] else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (table[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table
