"""A read-only HTTP client for the registry's public API (urllib, with timeouts and a size limit)."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from carboncred_auditor import __version__
from carboncred_auditor.errors import CheckError, HttpError

MAX_RESPONSE_BYTES = 64 * 1024 * 1024


class Registry:
    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise CheckError(f"BASE_URL must be an http:// or https:// address, not {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self._parts = parts
        self.timeout = timeout

    def same_site(self, url: str) -> str:
        """``url`` (e.g. a page's ``next`` link) on the registry the user named: only its path and query kept."""
        parts = urllib.parse.urlsplit(url)
        return urllib.parse.urlunsplit((self._parts.scheme, self._parts.netloc, parts.path, parts.query, ""))

    def get(self, path_or_url: str) -> Any:
        """GET and parse JSON. Raises HttpError for a 4xx/5xx answer, CheckError when unreachable."""
        url = path_or_url if "://" in path_or_url else self.base_url + path_or_url
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked in __init__ and same_site)
            url, headers={"Accept": "application/json", "User-Agent": f"carboncred-audit/{__version__}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as error:
            raise HttpError(url, error.code, _detail(error)) from None
        except urllib.error.URLError as error:
            raise CheckError(f"cannot reach {url}: {error.reason}") from None
        except (OSError, http.client.HTTPException) as error:  # timeouts, resets, truncated answers
            raise CheckError(f"cannot read {url}: {error or type(error).__name__}") from None
        if len(body) > MAX_RESPONSE_BYTES:
            raise CheckError(f"{url} answered more than {MAX_RESPONSE_BYTES} bytes")
        try:
            return json.loads(body)
        except ValueError:
            raise CheckError(f"{url} did not answer JSON (is BASE_URL the registry's address?)") from None


def _detail(error: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(error.read(64 * 1024))
    except (OSError, ValueError, http.client.HTTPException):
        return ""
    detail = body.get("detail") if isinstance(body, dict) else None
    return detail if isinstance(detail, str) else ""
