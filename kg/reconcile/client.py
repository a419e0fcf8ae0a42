"""A polite, fault-tolerant SPARQL client for Wikidata's query service (or a local copy of it).

Reconciliation sends many small SELECT queries to a public service that rate-limits, times
out and sometimes goes down. Reach for `SparqlClient` whenever kg talks to a SPARQL endpoint
over HTTP: it

* names itself with a descriptive User-Agent and a contact, as Wikimedia's policy asks;
* gives every request a timeout, and retries HTTP 429, HTTP 5xx, connection errors,
  timeouts and malformed JSON with exponential backoff, honouring ``Retry-After``;
* caps the number of requests in flight, so callers may fan out over threads without
  hammering the endpoint;
* keeps every successful answer in an sqlite file, so a re-run sends no request and an
  offline run (``offline=True``) can answer from what was fetched before;
* counts what it did (`ClientStats`), for benchmarks such as "requests per actor".

Failures are loud: an endpoint that stays down raises `EndpointError`, an offline cache miss
raises `OfflineMiss`; nothing is cached for a failure.

Example, against a local server (see tests/conftest.py's ``wikidata_endpoint``)::

    cache = store / "reconcile" / "cache.sqlite"
    client = SparqlClient("http://127.0.0.1:7878/query", cache_path=cache)
    result = client.select("SELECT ?label WHERE { ... }")
    for row in result.rows:
        print(row["label"].value, row["label"].lang)
"""

from __future__ import annotations

import functools
import hashlib
import http.client
import json
import os
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Literal

from rdflib import BNode, URIRef
from rdflib import Literal as RDFLiteral
from SPARQLWrapper import JSON, SPARQLWrapper
from SPARQLWrapper import __version__ as sparqlwrapper_version

from kg.errors import KGError

__all__ = [
    "DEFAULT_ENDPOINT", "ENDPOINT_ENV", "CachedResult", "ClientStats", "EndpointError",
    "OfflineMiss", "RetryPolicy", "Row", "SelectResult", "SparqlClient", "Term", "cache_key",
    "default_endpoint", "parse_retry_after", "user_agent",
]

DEFAULT_ENDPOINT = "https://query.wikidata.org/sparql"
# Points kg at another endpoint (a mirror, a local Oxigraph/QLever) without code changes.
ENDPOINT_ENV = "KG_WIKIDATA_ENDPOINT"
CONTACT = "https://w3id.org/kg; knowledge graph of armed actors"

# Statuses that mean "try again later": rate limiting, and server-side trouble.
_RETRYABLE_STATUS = frozenset({429}) | frozenset(range(500, 600))

_CACHE_SCHEMA = """
CREATE TABLE IF NOT EXISTS sparql_cache (
    key TEXT PRIMARY KEY,      -- sha256 of (endpoint, query text)
    endpoint TEXT NOT NULL,
    query TEXT NOT NULL,
    result TEXT NOT NULL,      -- the SPARQL JSON results document, as received
    fetched_at TEXT NOT NULL   -- ISO 8601, UTC
)
"""


class EndpointError(KGError):
    """The endpoint gave no usable answer: it stayed down after the retries, or refused the query.

    Attributes say what happened last, so a caller can report it or decide to stop a run.
    """

    def __init__(
        self, endpoint: str, *, status: int | None, reason: str, attempts: int
    ) -> None:
        self.endpoint = endpoint
        self.status = status
        self.reason = reason
        self.attempts = attempts
        last = f"HTTP {status}: {reason}" if status is not None else reason
        tries = "1 attempt" if attempts == 1 else f"{attempts} attempts"
        super().__init__(f"SPARQL endpoint {endpoint} failed after {tries}; last: {last}")

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        # Raised in a worker process, it crosses back pickled: keyword-only arguments
        # would not survive the default pickling and would break the whole pool.
        return (functools.partial(EndpointError, status=self.status, reason=self.reason,
                                  attempts=self.attempts), (self.endpoint,))


# Named as the reconciliation issue names it: a miss is an expected outcome that callers
# handle (like StopIteration), not a fault, hence no "Error" suffix.
class OfflineMiss(KGError):  # noqa: N818
    """An offline client was asked a query whose answer is not in its cache.

    Callers catch it to leave an actor unlinked rather than fail the run.
    """

    def __init__(self, endpoint: str, query: str) -> None:
        self.endpoint = endpoint
        self.query = query
        first_line = query.strip().splitlines()[0] if query.strip() else ""
        super().__init__(
            f"offline: no cached answer from {endpoint} for the query starting {first_line!r}"
        )


def default_endpoint() -> str:
    """The endpoint to use when none is given: ``$KG_WIKIDATA_ENDPOINT``, else Wikidata's."""
    return os.environ.get(ENDPOINT_ENV) or DEFAULT_ENDPOINT


def _kg_version() -> str:
    try:
        return version("kg")
    except PackageNotFoundError:  # a source tree that was never installed
        return "dev"


def user_agent() -> str:
    """The User-Agent kg sends: who we are and how to reach us, as Wikimedia's policy asks."""
    return f"kg/{_kg_version()} ({CONTACT}) SPARQLWrapper/{sparqlwrapper_version}"


@dataclass(frozen=True, slots=True)
class Term:
    """One bound value of a SPARQL JSON result row.

    Attributes:
        type: ``"uri"``, ``"literal"`` or ``"bnode"`` (``"typed-literal"`` from old
            endpoints is read as ``"literal"``).
        value: the lexical form, IRI or blank node label.
        lang: the language tag of a literal (``xml:lang``), if any.
        datatype: the datatype IRI of a literal, if any.
    """

    type: str
    value: str
    lang: str | None = None
    datatype: str | None = None

    @classmethod
    def from_json(cls, binding: Mapping[str, Any]) -> Term:
        kind = str(binding["type"])
        return cls(
            type="literal" if kind == "typed-literal" else kind,
            value=str(binding["value"]),
            lang=binding.get("xml:lang"),
            datatype=binding.get("datatype"),
        )

    def to_rdflib(self) -> URIRef | RDFLiteral | BNode:
        """The value as an rdflib term, so it can go into a graph without hand-built syntax."""
        if self.type == "uri":
            return URIRef(self.value)
        if self.type == "bnode":
            return BNode(self.value)
        return RDFLiteral(
            self.value, lang=self.lang, datatype=URIRef(self.datatype) if self.datatype else None
        )


# One solution: variable name -> value. Unbound variables are absent, as in SPARQL JSON.
Row = Mapping[str, Term]


@dataclass(frozen=True)
class SelectResult:
    """The answer to a SELECT query, with where and when it came from (for provenance).

    Attributes:
        variables: the projected variables, in the endpoint's order.
        rows: one mapping per solution.
        fetched_at: when the endpoint answered (for a cached answer: the original fetch).
        from_cache: whether this answer was read from the cache.
    """

    variables: tuple[str, ...]
    rows: tuple[Row, ...]
    fetched_at: datetime
    from_cache: bool

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class CachedResult:
    """A cache entry: the JSON text as received and when it was fetched."""

    text: str
    fetched_at: datetime


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait and how often to try again.

    The n-th retry waits ``base * factor ** (n - 1)`` seconds, or what the server's
    ``Retry-After`` asks, but never more than ``max_wait``.
    """

    attempts: int = 5
    base: float = 1.0
    factor: float = 2.0
    max_wait: float = 60.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"RetryPolicy.attempts must be at least 1, not {self.attempts}")
        if self.base < 0 or self.factor < 1 or self.max_wait < 0:
            raise ValueError(f"RetryPolicy needs base >= 0, factor >= 1, max_wait >= 0: {self}")

    def wait(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to sleep before retry number `retry` (1 for the first retry).

        A server's ``Retry-After`` replaces our schedule (it knows its load better than we do),
        but is capped too, so one header cannot stall a run for an hour; if the server is still
        unwilling, the next attempt fails and the retries run out.
        """
        delay = retry_after if retry_after is not None else self.base * self.factor ** (retry - 1)
        return max(0.0, min(delay, self.max_wait))


@dataclass
class ClientStats:
    """What a client did; read it through `SparqlClient.stats` (a snapshot).

    Attributes:
        requests: HTTP requests sent (every attempt counts).
        cache_hits: queries answered from the cache without a request.
        retries: attempts after the first, over all queries.
        failures: queries that ended in `EndpointError`.
        offline_misses: queries an offline client could not answer (`OfflineMiss`).
    """

    requests: int = 0
    cache_hits: int = 0
    retries: int = 0
    failures: int = 0
    offline_misses: int = 0


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks us to wait (delta-seconds or HTTP date), if valid.

    A date in the past means "now" (0 s); a header that is neither form is ignored (None), so a
    broken header falls back to our own backoff rather than failing the query.
    """
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # HTTP dates are GMT; an unmarked one is read as UTC
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def cache_key(endpoint: str, query: str) -> str:
    """The cache key of a query: sha256 of the endpoint and the exact query text.

    The pair is hashed as a JSON array, so no two different pairs can collide by
    concatenation; the same query sent to a mirror is a different entry.
    """
    payload = json.dumps([endpoint, query], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class _Cache:
    """The sqlite cache. One short-lived connection per operation, so threads (and processes)
    can share the file without sharing a connection; sqlite serialises the writes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute(_CACHE_SCHEMA)

    def _connect(self) -> closing[sqlite3.Connection]:
        return closing(sqlite3.connect(self.path, timeout=30))

    def get(self, key: str) -> CachedResult | None:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT result, fetched_at FROM sparql_cache WHERE key = ?", (key,)
            ).fetchone()
        if row is None:
            return None
        return CachedResult(text=row[0], fetched_at=datetime.fromisoformat(row[1]))

    def put(self, key: str, endpoint: str, query: str, entry: CachedResult) -> None:
        with self._connect() as conn, conn:  # the inner `conn` commits
            conn.execute(
                "INSERT OR REPLACE INTO sparql_cache VALUES (?, ?, ?, ?, ?)",
                (key, endpoint, query, entry.text, entry.fetched_at.isoformat()),
            )


class _AttemptError(Exception):
    """One attempt failed; carries what the caller needs to decide whether to retry."""

    def __init__(
        self, status: int | None, reason: str, *, retryable: bool, retry_after: float | None = None
    ) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after


def _http_error(exc: BaseException) -> urllib.error.HTTPError | None:
    # SPARQLWrapper turns some HTTP errors (400, 401, 404, 414, 500) into its own exceptions,
    # raised inside its `except HTTPError` block: the original, with its status and headers
    # (Retry-After), is the exception's __context__.
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, urllib.error.HTTPError):
            return seen
        seen = seen.__context__
    return None


def _parse_select(text: str) -> tuple[tuple[str, ...], tuple[Row, ...]]:
    """Variables and rows of a SPARQL JSON SELECT result; ValueError if it is not one."""
    doc = json.loads(text)
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), dict):
        raise ValueError("not a SPARQL JSON SELECT result (no 'results' object)")
    bindings = doc["results"].get("bindings")
    if not isinstance(bindings, list):
        raise ValueError("not a SPARQL JSON SELECT result (no 'results.bindings' list)")
    head = doc.get("head", {})
    variables = tuple(str(v) for v in head.get("vars", [])) if isinstance(head, dict) else ()
    try:
        rows = tuple(
            {name: Term.from_json(value) for name, value in binding.items()}
            for binding in bindings
        )
    except (AttributeError, KeyError, TypeError) as exc:
        raise ValueError(f"malformed binding in SPARQL JSON result: {exc!r}") from exc
    return variables, rows


@dataclass
class _Counters:
    stats: ClientStats = field(default_factory=ClientStats)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **increments: int) -> None:
        with self.lock:
            for name, n in increments.items():
                setattr(self.stats, name, getattr(self.stats, name) + n)

    def snapshot(self) -> ClientStats:
        with self.lock:
            return replace(self.stats)


class SparqlClient:
    """SELECT queries against one SPARQL endpoint, politely, with a cache. Thread-safe.

    Args:
        endpoint: the SPARQL endpoint URL; None means `default_endpoint()`
            (``$KG_WIKIDATA_ENDPOINT``, else Wikidata's query service).
        cache_path: the sqlite cache file (e.g. ``STORE/reconcile/cache.sqlite``); created with
            its folder if missing. None: no cache (every query is sent; offline always misses).
        offline: answer only from the cache; a miss raises `OfflineMiss`, no request is sent.
        timeout: seconds to wait for the endpoint to connect and to answer each read.
        retry: attempts and backoff (`RetryPolicy`).
        max_concurrent: requests in flight at once, over all threads using this client.
        max_age: cached answers older than this are fetched again (when online); None: keep
            them forever. Offline, any cached answer is used whatever its age.
        method: HTTP method. GET suits Wikidata (its answers are cached by URL); POST is for
            queries too long for a URL.
        sleep: how to wait between attempts (tests may record the waits).
    """

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        cache_path: Path | str | None = None,
        offline: bool = False,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        max_concurrent: int = 2,
        max_age: timedelta | None = None,
        method: Literal["GET", "POST"] = "GET",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, not {timeout}")
        if max_concurrent < 1:
            raise ValueError(f"max_concurrent must be at least 1, not {max_concurrent}")
        self.endpoint = endpoint or default_endpoint()
        self.offline = offline
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.max_concurrent = max_concurrent
        self.max_age = max_age
        self.method = method
        self.user_agent = user_agent()
        self._sleep = sleep
        self._cache = _Cache(Path(cache_path)) if cache_path is not None else None
        self._slots = threading.BoundedSemaphore(max_concurrent)
        self._counters = _Counters()

    def __repr__(self) -> str:
        mode = "offline" if self.offline else "online"
        return f"SparqlClient({self.endpoint!r}, {mode})"

    @property
    def stats(self) -> ClientStats:
        """A snapshot of the counters (requests, cache hits, retries, failures, misses)."""
        return self._counters.snapshot()

    def select(self, query: str) -> SelectResult:
        """Run a SELECT query: from the cache if it holds the answer, else from the endpoint.

        Raises:
            OfflineMiss: offline, and the cache has no answer for this query.
            EndpointError: the endpoint gave no usable answer after the retries, or refused
                the query (a 4xx other than 429); nothing is cached.
        """
        text, fetched_at, from_cache = self._polite(
            self.endpoint, query, lambda: self._send_query(query), _parse_select)
        variables, rows = _parse_select(text)
        return SelectResult(variables, rows, fetched_at, from_cache=from_cache)

    def fetch_json(self, url: str) -> Any:
        """GET a JSON document (Wikidata's search API) with the politeness, retries, cache
        and offline mode of `select`. The cache key is the URL."""
        text, _, _ = self._polite(url, "", lambda: self._send_get(url), json.loads)
        return json.loads(text)

    def _polite(self, target: str, query: str, send: Callable[[], bytes],
                check: Callable[[str], object]) -> tuple[str, datetime, bool]:
        """The answer's text, when it was fetched and whether it came from the cache:
        cached if possible, else sent until an attempt gives text that `check` accepts."""
        key = cache_key(target, query)
        cached = self._cache.get(key) if self._cache is not None else None
        if cached is not None and (self.offline or self._fresh(cached)):
            self._counters.add(cache_hits=1)
            return cached.text, cached.fetched_at, True
        if self.offline:
            self._counters.add(offline_misses=1)
            raise OfflineMiss(target, query or target)
        text = self._fetch(target, send, check)
        entry = CachedResult(text=text, fetched_at=datetime.now(UTC))
        if self._cache is not None:
            self._cache.put(key, target, query, entry)
        return text, entry.fetched_at, False

    def _fresh(self, cached: CachedResult) -> bool:
        return self.max_age is None or datetime.now(UTC) - cached.fetched_at <= self.max_age

    def _fetch(self, target: str, send: Callable[[], bytes], check: Callable[[str], object]
               ) -> str:
        """Send until an attempt succeeds or the retry policy gives up."""
        for attempt in range(1, self.retry.attempts + 1):
            if attempt > 1:
                self._counters.add(retries=1)
            try:
                text = self._attempt(send)
                try:
                    check(text)
                except ValueError as exc:  # json.JSONDecodeError is a ValueError
                    raise _AttemptError(200, f"malformed JSON in the answer: {exc}",
                                         retryable=True) from exc
                return text
            except _AttemptError as failed:
                if not failed.retryable or attempt == self.retry.attempts:
                    self._counters.add(failures=1)
                    raise EndpointError(target, status=failed.status,
                                        reason=failed.reason, attempts=attempt) from failed
                self._sleep(self.retry.wait(attempt, failed.retry_after))
        raise AssertionError("unreachable: RetryPolicy.attempts >= 1")

    def _send_query(self, query: str) -> bytes:
        sparql = SPARQLWrapper(self.endpoint, agent=self.user_agent)
        sparql.setQuery(query)
        sparql.setReturnFormat(JSON)
        sparql.setMethod(self.method)
        # setTimeout() truncates to int, which turns 0.5 s into 0, i.e. no timeout at all;
        # urllib accepts a float, so set the attribute directly.
        sparql.timeout = self.timeout  # type: ignore[assignment]
        response = sparql.query().response
        try:
            return bytes(response.read())
        finally:
            response.close()

    def _send_get(self, url: str) -> bytes:
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent,
                                                       "Accept": "application/json"})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            return bytes(response.read())

    def _attempt(self, send: Callable[[], bytes]) -> str:
        """One HTTP request, within the concurrency cap; the body text, or `_AttemptError`."""
        with self._slots:
            self._counters.add(requests=1)
            try:
                body = send()
            except Exception as exc:
                failed = self._classify(exc)
                if failed is None:  # not an HTTP or network failure: a bug, let it show
                    raise
                raise failed from exc
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _AttemptError(200, f"malformed JSON in the answer: {exc}",
                                 retryable=True) from exc

    @staticmethod
    def _classify(exc: Exception) -> _AttemptError | None:
        """What an exception from SPARQLWrapper/urllib means for retrying; None if neither's."""
        http_error = _http_error(exc)
        if http_error is not None:
            status = http_error.code
            reason = str(http_error.reason or "") or type(exc).__name__
            detail = _error_body(exc, http_error)
            if detail:
                reason = f"{reason}: {detail}"
            header = http_error.headers.get("Retry-After") if http_error.headers else None
            return _AttemptError(status, reason, retryable=status in _RETRYABLE_STATUS,
                                  retry_after=parse_retry_after(header))
        if isinstance(exc, urllib.error.URLError):  # refused, DNS, timeout while connecting
            return _AttemptError(None, f"connection failed: {exc.reason}", retryable=True)
        if isinstance(exc, OSError | http.client.HTTPException):  # timeout/reset while reading
            return _AttemptError(None, f"connection failed: {type(exc).__name__}: {exc}",
                                  retryable=True)
        return None


_ERROR_BODY_CHARS = 300


def _error_body(exc: Exception, http_error: urllib.error.HTTPError) -> str:
    """The start of an error response's body (an endpoint's parse error message, say)."""
    if exc is http_error:
        try:
            raw = http_error.read(_ERROR_BODY_CHARS)
        except (OSError, http.client.HTTPException):
            return ""  # the status alone still says what happened
        text = raw.decode("utf-8", "replace")
    else:
        # SPARQLWrapper read the body into its own exception's message.
        text = str(exc).partition("Response:\n")[2]
    return " ".join(text.split())[:_ERROR_BODY_CHARS]
