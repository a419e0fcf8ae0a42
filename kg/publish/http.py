"""The little of HTTP the server needs on top of WSGI: a request view, responses, errors.

Written against PEP 3333 directly rather than a web framework: the server has a dozen
routes, and every response must carry the same CORS and caching headers, which is easier
to guarantee in one place than through a framework's extension points.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias

StartResponse = Callable[..., Any]


class WSGIApp(Protocol):
    def __call__(self, environ: dict[str, Any],
                 start_response: StartResponse) -> Iterable[bytes]: ...


REASONS = {
    200: "OK", 204: "No Content", 303: "See Other", 400: "Bad Request", 403: "Forbidden",
    404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable",
    413: "Content Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Content",
    500: "Internal Server Error", 503: "Service Unavailable",
}

# Browser clients (a notebook, a page on another site) may call the endpoint directly.
CORS_HEADERS = [
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "GET, POST, HEAD, OPTIONS"),
    ("Access-Control-Allow-Headers", "Accept, Content-Type"),
    ("Access-Control-Expose-Headers", "Content-Type, Location, Vary"),
]


class HTTPError(Exception):
    """An answer other than success, with a message a person can act on."""

    def __init__(self, status: int, message: str, *, headers: list[tuple[str, str]] | None = None
                 ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or []


Body: TypeAlias = bytes | Iterable[bytes]


@dataclass
class Response:
    """An answer; `length` is the size of a streamed (not bytes) body, when known.

    `gzip_variant` gives the body gzip-compressed, with its length, where the handler
    holds that already (a kept page, a dump's compressed file): kg.publish.compression
    sends it rather than compress the body on every request. Called only when the client
    takes gzip, so that a variant still to be made is made only for clients that want it.
    """

    status: int = 200
    body: Body = b""
    content_type: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    length: int | None = None
    gzip_variant: Callable[[], tuple[Body, int]] | None = None

    def __call__(self, environ: Mapping[str, Any], start_response: StartResponse
                 ) -> Iterable[bytes]:
        headers = list(CORS_HEADERS) + self.headers
        if self.content_type:
            headers.append(("Content-Type", self.content_type))
        if isinstance(self.body, bytes):
            headers.append(("Content-Length", str(len(self.body))))
        elif self.length is not None:
            headers.append(("Content-Length", str(self.length)))
        start_response(f"{self.status} {REASONS.get(self.status, 'Status')}", headers)
        if environ.get("REQUEST_METHOD") == "HEAD":
            return [b""]
        return [self.body] if isinstance(self.body, bytes) else self.body


def error_response(error: HTTPError, accept: str | None) -> Response:
    """An error as JSON for programs that ask for JSON, plain text otherwise: curl and
    SPARQL clients show the text as it is."""
    if accept and "json" in accept and "html" not in accept:
        body = json.dumps({"status": error.status, "error": error.message}).encode("utf-8")
        return Response(error.status, body, "application/json", error.headers)
    return Response(error.status, (error.message + "\n").encode("utf-8"),
                    "text/plain; charset=utf-8", error.headers)


class Request:
    """A read-only view of a WSGI environ with the body read at most once, and never more
    than the server accepts."""

    def __init__(self, environ: dict[str, Any], *, max_body: int) -> None:
        self.environ = environ
        self.method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        # WSGI gives PATH_INFO as latin-1 decoded bytes; IRIs are UTF-8.
        raw = str(environ.get("PATH_INFO", "") or "/")
        self.path = raw.encode("latin-1").decode("utf-8", "replace")
        self.query_string = str(environ.get("QUERY_STRING", ""))
        self.max_body = max_body
        self._body: bytes | None = None

    @property
    def accept(self) -> str | None:
        value = self.environ.get("HTTP_ACCEPT")
        return str(value) if value is not None else None

    @property
    def accept_encoding(self) -> str | None:
        value = self.environ.get("HTTP_ACCEPT_ENCODING")
        return str(value) if value is not None else None

    @property
    def content_type(self) -> str:
        return str(self.environ.get("CONTENT_TYPE", "")).split(";")[0].strip().lower()

    def args(self) -> dict[str, list[str]]:
        return urllib.parse.parse_qs(self.query_string, keep_blank_values=True)

    def body(self) -> bytes:
        if self._body is None:
            try:
                length = int(self.environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                raise HTTPError(400, "Content-Length is not a number") from None
            if length > self.max_body:
                raise HTTPError(413, f"the request body has {length} bytes; this server "
                                     f"accepts at most {self.max_body}")
            stream = self.environ["wsgi.input"]
            self._body = stream.read(length) if length > 0 else b""
        return self._body

    def form(self) -> dict[str, list[str]]:
        try:
            text = self.body().decode("utf-8")
        except UnicodeDecodeError:
            raise HTTPError(400, "the form body is not UTF-8") from None
        return urllib.parse.parse_qs(text, keep_blank_values=True)

    def url_root(self) -> str:
        """Where the client reached this server (scheme, host, script prefix)."""
        scheme = str(self.environ.get("wsgi.url_scheme", "http"))
        host = self.environ.get("HTTP_HOST") or (
            f"{self.environ.get('SERVER_NAME', 'localhost')}:{self.environ.get('SERVER_PORT')}")
        return f"{scheme}://{host}{self.environ.get('SCRIPT_NAME', '')}"


def redirect(location: str, *, vary: bool = True) -> Response:
    # Header values are latin-1 in WSGI: an IRI's other characters go percent-encoded.
    location = urllib.parse.quote(location, safe=":/?#[]@!$&'()*+,;=%~")
    headers = [("Location", location)]
    if vary:
        headers.append(("Vary", "Accept"))
    return Response(303, b"See " + location.encode("utf-8") + b"\n",
                    "text/plain; charset=utf-8", headers)
