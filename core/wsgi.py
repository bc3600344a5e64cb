"""WSGI middleware: request bodies sent with ``Transfer-Encoding: chunked``.

Django reads ``CONTENT_LENGTH`` bytes of a WSGI request body. A chunked request has no
``Content-Length`` (the length is not known when sending starts), and gunicorn passes it on
without one, so Django read such a body as empty and answered as if nothing had been sent.

The choice: read it, rather than refuse it with 411 Length Required. HTTP/1.1 clients may stream a
body of unknown length this way (curl with ``-T -``, Go's client, some SDKs), and behind a proxy
that buffers bodies (nginx's default) nothing changes. The same limit holds as for any body:
``DATA_UPLOAD_MAX_MEMORY_SIZE`` (``MAX_BODY_BYTES``) bytes are read at most (``UPLOAD_MAX_BODY_BYTES``
for a file upload, as ``core.middleware.body_limit`` says), and a longer body is a 413 before Django
sees it. The decoded body then reaches Django as an ordinary one with a
``Content-Length``.

Only a server that undoes the chunk framing and ends the input stream with the body says so
(``wsgi.input_terminated``, set by gunicorn); under any other (``runserver``) a chunked body is
refused with 411 Length Required, since reading it there could wait for ever.
"""

import io
import json

from core.middleware import body_limit


class ChunkedRequestBody:
    def __init__(self, application) -> None:
        self.application = application

    def __call__(self, environ, start_response):
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH"):
            if not environ.get("wsgi.input_terminated"):
                return _refuse(411, "Length Required", "Send the body with a Content-Length.", "length_required",
                               start_response)  # fmt: skip
            # The limit of any body (core.middleware.body_limit): a file upload's is larger.
            path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
            limit = body_limit(environ.get("REQUEST_METHOD", ""), path)
            # The server (gunicorn) undoes the chunk framing; we read the data, one byte past the limit.
            body = environ["wsgi.input"].read(limit + 1 if limit is not None else -1)
            if limit is not None and len(body) > limit:
                detail = f"The request body is larger than {limit} bytes."
                return _refuse(413, "Content Too Large", detail, "request_too_large", start_response)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.application(environ, start_response)


def _refuse(status: int, reason: str, detail: str, code: str, start_response):
    content = json.dumps({"detail": detail, "code": code}).encode()
    start_response(
        f"{status} {reason}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(content))), ("Connection", "close")],
    )
    return [content]
