"""Pure helpers used while settings load; nothing here may import Django settings."""

import secrets
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_THROTTLE_RATES = {
    "register": "20/hour",
    "token": "60/min",
    "user": "1200/min",
    "anon": "600/min",
    "api_key": "600/min",
}


def parse_throttle_rates(value: str | None) -> dict[str, str | None]:
    """Turn ``register=20/hour,token=60/min`` into DRF rates; ``off`` disables every scope.

    Scopes not named keep their default, so an override can name just the one it changes.
    DRF lets a request through when a scope's rate is ``None``.
    """
    rates: dict[str, str | None] = dict(DEFAULT_THROTTLE_RATES)
    if value is None or not value.strip():
        return rates
    if value.strip().lower() == "off":
        return dict.fromkeys(rates)
    for item in value.split(","):
        scope, sep, rate = item.strip().partition("=")
        if not sep or not scope or not rate:
            raise ValueError(f"THROTTLE_RATES item {item!r} is not scope=N/period")
        rates[scope.strip()] = None if rate.strip().lower() == "off" else rate.strip()
    return rates


def secret_key_from_file(path: Path) -> str:
    """A per-checkout random key kept under var/, so a local run needs no configuration."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


def ledger_origin(value: str | None, *, public_base_url: str) -> str:
    """The transparency log's origin (c2sp.org/tlog-checkpoint): ``value``, or the public host
    (with its port, if any) followed by ``/ledger``, e.g. ``registry.example.com/ledger``.

    It is also the signing key's name, so it may hold no spaces, control characters or ``+``.
    """
    if not value:
        parts = urlsplit(public_base_url)
        host = parts.hostname or ""
        value = f"{host}:{parts.port}/ledger" if parts.port else f"{host}/ledger"
    if not value or "+" in value or any(ch.isspace() or ch < " " for ch in value) or value.startswith("/"):
        raise ValueError(f"LEDGER_ORIGIN {value!r} must be a non-empty name without spaces or '+'")
    return value


DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", "8000"


def local_base_url(bind: str | None, host: str | None, port: str | None) -> str:
    """The URL a local run serves on, for when PUBLIC_BASE_URL is unset: from ``BIND`` (``host:port``,
    as gunicorn reads it), else ``HOST`` and ``PORT``, else http://127.0.0.1:8000. A wildcard
    address (0.0.0.0, ::) is no address to link to, so it becomes 127.0.0.1."""
    if bind:
        bind = bind.split(",")[0].strip()
        if bind.startswith("unix:"):
            bind = ""
        host_part, sep, port_part = bind.rpartition(":")
        if not sep or not port_part.isdigit():  # a bare host, or a bare port
            host_part, port_part = (bind, port or DEFAULT_PORT) if not bind.isdigit() else (host or "", bind)
        host, port = host_part or host, port_part
    host = (host or DEFAULT_HOST).strip("[]")
    if host in ("0.0.0.0", "::", ""):  # noqa: S104  (a bind-all address is turned into a loopback link)
        host = DEFAULT_HOST
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port or DEFAULT_PORT}"


def log_format(value: str, stream=None) -> str:
    """``json`` or ``text``: ``auto`` is text when stderr is a terminal (a person reading ``make run``)
    and JSON lines otherwise (a log collector, CI, a service manager)."""
    import sys

    value = (value or "auto").strip().lower()
    if value == "auto":
        stream = stream if stream is not None else sys.stderr
        isatty = getattr(stream, "isatty", None)
        return "text" if isatty is not None and isatty() else "json"
    if value not in ("json", "text"):
        raise ValueError(f"LOG_FORMAT {value!r} must be auto, json or text")
    return value
