"""The SPARQL client against a scripted local HTTP server and a real (local) SPARQL server.

The scripted server answers each path with one behaviour (a valid answer, 429 then success,
500 twice, always 503, too slow, malformed JSON...) and records every request it receives,
so the tests can count requests and read the headers. Nothing leaves the loopback interface.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from rdflib import Literal, URIRef

from kg.errors import KGError
from kg.reconcile.client import (
    DEFAULT_ENDPOINT,
    ENDPOINT_ENV,
    EndpointError,
    OfflineMiss,
    RetryPolicy,
    SparqlClient,
    Term,
    cache_key,
    parse_retry_after,
    user_agent,
)

QUERY = (
    "SELECT ?label WHERE { <http://www.wikidata.org/entity/Q796> "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?label }"
)
ANSWER = {
    "head": {"vars": ["label"]},
    "results": {"bindings": [
        {"label": {"type": "literal", "value": "Iraq", "xml:lang": "en"}},
        {"label": {"type": "literal", "value": "العراق", "xml:lang": "ar"}},
    ]},
}
# Small enough to keep the whole file fast, large enough to tell the waits apart.
FAST = RetryPolicy(attempts=3, base=0.01, factor=2.0, max_wait=2.0)
TIMEOUT = 0.3  # the client's; the slow paths take SLOW seconds to answer
SLOW = 1.0


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    query: str | None


@dataclass
class FakeEndpoint:
    """A scripted SPARQL endpoint; `url(behaviour)` is the endpoint that behaves so."""

    base: str = ""
    requests: list[Received] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, behaviour: str) -> str:
        return f"{self.base}/{behaviour}"

    def sent(self, behaviour: str) -> int:
        """How many requests reached `behaviour`'s endpoint."""
        with self.lock:
            return self.counts[behaviour]


def _reply(handler: BaseHTTPRequestHandler, status: int, body: bytes,
           headers: dict[str, str] | None = None) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", "application/sparql-results+json")
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


OK = json.dumps(ANSWER).encode("utf-8")


def _behave(behaviour: str, nth: int, handler: BaseHTTPRequestHandler) -> None:
    """Answer the `nth` request (1-based) that reached `behaviour`."""
    if behaviour == "ok":
        _reply(handler, 200, OK)
    elif behaviour == "ok-slowly":  # long enough for requests to overlap
        time.sleep(0.15)
        _reply(handler, 200, OK)
    elif behaviour == "429-then-ok":
        if nth == 1:
            _reply(handler, 429, b"slow down", {"Retry-After": "1"})
        else:
            _reply(handler, 200, OK)
    elif behaviour == "429-long-then-ok":
        if nth == 1:
            _reply(handler, 429, b"slow down", {"Retry-After": "3600"})
        else:
            _reply(handler, 200, OK)
    elif behaviour == "500-twice":
        if nth <= 2:
            _reply(handler, 500, b"internal error")
        else:
            _reply(handler, 200, OK)
    elif behaviour == "503":
        _reply(handler, 503, b"down for maintenance")
    elif behaviour == "400":
        _reply(handler, 400, b"Parse error: unexpected end of query")
    elif behaviour == "slow-once":
        if nth == 1:
            time.sleep(SLOW)
        _reply(handler, 200, OK)
    elif behaviour == "slow":
        time.sleep(SLOW)
        _reply(handler, 200, OK)
    elif behaviour == "bad-json":
        _reply(handler, 200, b'{"head": {"vars": ["label"]}, "results": {"bindings": [')
    elif behaviour == "bad-json-once":
        _reply(handler, 200, b"<html>proxy error</html>" if nth == 1 else OK)
    else:
        _reply(handler, 404, b"no such behaviour")


def _handler(endpoint: FakeEndpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output clean

        def _serve(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            if self.command == "POST":
                length = int(self.headers.get("Content-Length", "0"))
                params = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8"))
            else:
                params = urllib.parse.parse_qs(url.query)
            behaviour = url.path.strip("/")
            with endpoint.lock:
                endpoint.requests.append(Received(
                    self.command, url.path, dict(self.headers.items()),
                    params.get("query", [None])[0],
                ))
                endpoint.counts[behaviour] += 1
                nth = endpoint.counts[behaviour]
                endpoint.in_flight += 1
                endpoint.max_in_flight = max(endpoint.max_in_flight, endpoint.in_flight)
            try:
                _behave(behaviour, nth, self)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout); that is what the test wanted
            finally:
                with endpoint.lock:
                    endpoint.in_flight -= 1

        # The names http.server dispatches to.
        do_GET = _serve  # noqa: N815
        do_POST = _serve  # noqa: N815

    return Handler


@pytest.fixture
def fake() -> Iterator[FakeEndpoint]:
    endpoint = FakeEndpoint()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(endpoint))
    server.daemon_threads = True
    host, port = server.server_address[:2]
    endpoint.base = f"http://{host!s}:{port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "reconcile" / "cache.sqlite"


def _cached_rows(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM sparql_cache").fetchone()[0])


class Waits:
    """A `sleep` that records each wait and really waits (the waits in these tests are short)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        time.sleep(seconds)


def _client(fake: FakeEndpoint, behaviour: str, cache: Path | None, **options: Any
            ) -> SparqlClient:
    options.setdefault("retry", FAST)
    options.setdefault("timeout", TIMEOUT)
    return SparqlClient(fake.url(behaviour), cache_path=cache, **options)


# --- answers, identity, configuration ------------------------------------------------------

def test_select_returns_typed_rows(fake: FakeEndpoint, cache: Path) -> None:
    result = _client(fake, "ok", cache).select(QUERY)
    assert result.variables == ("label",)
    assert not result.from_cache
    assert [(row["label"].value, row["label"].lang) for row in result] == [
        ("Iraq", "en"), ("العراق", "ar")]
    assert result.rows[0]["label"].to_rdflib() == Literal("Iraq", lang="en")
    assert fake.requests[0].query == QUERY


def test_user_agent_names_kg_and_a_contact(fake: FakeEndpoint) -> None:
    _client(fake, "ok", None).select(QUERY)
    [request] = fake.requests
    agent = request.headers["User-Agent"]
    assert re.fullmatch(
        r"kg/\S+ \(https://w3id\.org/kg; knowledge graph of armed actors\) SPARQLWrapper/2\S*",
        agent), agent
    assert agent == user_agent()
    assert "application/sparql-results+json" in request.headers["Accept"]
    assert request.method == "GET"


def test_post_sends_the_query_in_the_body(fake: FakeEndpoint) -> None:
    _client(fake, "ok", None, method="POST").select(QUERY)
    [request] = fake.requests
    assert (request.method, request.query) == ("POST", QUERY)


def test_endpoint_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENDPOINT_ENV, raising=False)
    assert SparqlClient().endpoint == DEFAULT_ENDPOINT == "https://query.wikidata.org/sparql"
    monkeypatch.setenv(ENDPOINT_ENV, "http://127.0.0.1:9/sparql")
    assert SparqlClient().endpoint == "http://127.0.0.1:9/sparql"
    assert SparqlClient("http://127.0.0.1:8/q").endpoint == "http://127.0.0.1:8/q"


def test_terms_convert_to_rdflib() -> None:
    assert Term("uri", "http://www.wikidata.org/entity/Q796").to_rdflib() == URIRef(
        "http://www.wikidata.org/entity/Q796")
    typed = Term.from_json({"type": "typed-literal", "value": "1920",
                            "datatype": "http://www.w3.org/2001/XMLSchema#gYear"})
    assert typed.type == "literal"
    assert typed.to_rdflib() == Literal(
        "1920", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYear"))


# --- cache and offline mode ----------------------------------------------------------------

def test_cached_rerun_sends_no_request(fake: FakeEndpoint, cache: Path) -> None:
    first = _client(fake, "ok", cache)
    answer = first.select(QUERY)
    assert fake.sent("ok") == 1
    again = first.select(QUERY)
    # A new client (a re-run of the pipeline) reads the same file.
    rerun = _client(fake, "ok", cache)
    from_file = rerun.select(QUERY)
    assert fake.sent("ok") == 1, "a cached query was sent again"
    assert again.from_cache and from_file.from_cache
    assert from_file.rows == answer.rows
    assert from_file.fetched_at == answer.fetched_at
    assert (first.stats.requests, first.stats.cache_hits) == (1, 1)
    assert (rerun.stats.requests, rerun.stats.cache_hits) == (0, 1)
    with sqlite3.connect(cache) as conn:
        [(key, result, fetched)] = conn.execute(
            "SELECT key, result, fetched_at FROM sparql_cache").fetchall()
    assert key == cache_key(fake.url("ok"), QUERY)
    assert json.loads(result) == ANSWER
    assert datetime.fromisoformat(fetched) == answer.fetched_at


def test_cache_key_depends_on_endpoint_and_query() -> None:
    keys = {cache_key("http://a/sparql", QUERY), cache_key("http://b/sparql", QUERY),
            cache_key("http://a/sparql", QUERY + " "), cache_key("http://a/sparql", QUERY)}
    assert len(keys) == 3
    assert all(re.fullmatch(r"[0-9a-f]{64}", key) for key in keys)


def test_stale_entries_are_fetched_again(fake: FakeEndpoint, cache: Path) -> None:
    _client(fake, "ok", cache).select(QUERY)
    _client(fake, "ok", cache, max_age=timedelta(0)).select(QUERY)
    assert fake.sent("ok") == 2
    # Offline, an old answer is better than none.
    assert _client(fake, "ok", cache, offline=True, max_age=timedelta(0)).select(QUERY).from_cache
    assert fake.sent("ok") == 2


def test_offline_miss_raises_and_sends_nothing(fake: FakeEndpoint, cache: Path) -> None:
    client = _client(fake, "ok", cache, offline=True)
    with pytest.raises(OfflineMiss, match="no cached answer") as caught:
        client.select(QUERY)
    assert isinstance(caught.value, KGError)
    assert fake.requests == []
    assert client.stats.offline_misses == 1
    with pytest.raises(OfflineMiss):  # no cache at all: every query misses
        _client(fake, "ok", None, offline=True).select(QUERY)


def test_offline_hit_answers_from_cache(fake: FakeEndpoint, cache: Path) -> None:
    online = _client(fake, "ok", cache).select(QUERY)
    offline = _client(fake, "ok", cache, offline=True)
    result = offline.select(QUERY)
    assert result.from_cache and result.rows == online.rows
    assert fake.sent("ok") == 1
    assert (offline.stats.requests, offline.stats.cache_hits) == (0, 1)


# --- retries -------------------------------------------------------------------------------

def test_429_honours_retry_after(fake: FakeEndpoint, cache: Path) -> None:
    waits = Waits()
    client = _client(fake, "429-then-ok", cache, sleep=waits)
    started = time.monotonic()
    result = client.select(QUERY)
    assert time.monotonic() - started >= 1.0
    assert waits.waits == [1.0]  # the server's Retry-After, not our 0.01 s backoff
    assert len(result) == 2 and fake.sent("429-then-ok") == 2
    stats = client.stats
    assert (stats.requests, stats.retries, stats.failures) == (2, 1, 0)


def test_retry_after_is_capped(fake: FakeEndpoint) -> None:
    waits = Waits()
    policy = RetryPolicy(attempts=2, base=0.01, max_wait=0.05)
    _client(fake, "429-long-then-ok", None, retry=policy, sleep=waits).select(QUERY)
    assert waits.waits == [0.05]


def test_500_twice_then_success_backs_off_exponentially(fake: FakeEndpoint, cache: Path) -> None:
    waits = Waits()
    client = _client(fake, "500-twice", cache, sleep=waits)
    assert len(client.select(QUERY)) == 2
    assert waits.waits == pytest.approx([0.01, 0.02])
    assert fake.sent("500-twice") == 3
    assert (client.stats.requests, client.stats.retries) == (3, 2)
    assert _cached_rows(cache) == 1


def test_endpoint_down_raises_after_all_attempts(fake: FakeEndpoint, cache: Path) -> None:
    client = _client(fake, "503", cache)
    with pytest.raises(EndpointError) as caught:
        client.select(QUERY)
    error = caught.value
    assert isinstance(error, KGError)
    assert fake.url("503") in str(error) and "503" in str(error)
    assert "down for maintenance" in str(error)
    assert (error.status, error.attempts) == (503, FAST.attempts)
    assert fake.sent("503") == FAST.attempts
    stats = client.stats
    assert (stats.requests, stats.retries, stats.failures) == (3, 2, 1)
    assert _cached_rows(cache) == 0, "a failure was cached"
    with pytest.raises(OfflineMiss):
        _client(fake, "503", cache, offline=True).select(QUERY)


def test_bad_request_is_not_retried(fake: FakeEndpoint) -> None:
    client = _client(fake, "400", None)
    with pytest.raises(EndpointError, match="unexpected end of query") as caught:
        client.select(QUERY)
    assert (caught.value.status, caught.value.attempts) == (400, 1)
    assert fake.sent("400") == 1 and client.stats.failures == 1


def test_slow_answer_times_out_and_is_retried(fake: FakeEndpoint, cache: Path) -> None:
    client = _client(fake, "slow-once", cache)
    assert len(client.select(QUERY)) == 2
    assert fake.sent("slow-once") == 2 and client.stats.retries == 1


def test_endpoint_that_stays_slow_raises(fake: FakeEndpoint, cache: Path) -> None:
    client = _client(fake, "slow", cache, retry=RetryPolicy(attempts=2, base=0.01))
    started = time.monotonic()
    with pytest.raises(EndpointError, match="timed out") as caught:
        client.select(QUERY)
    assert time.monotonic() - started < 2 * SLOW  # the timeout cut each attempt short
    assert caught.value.status is None and caught.value.attempts == 2
    assert fake.sent("slow") == 2
    assert _cached_rows(cache) == 0


def test_unreachable_endpoint_raises(cache: Path) -> None:
    # Port 9 (discard) on the loopback interface: nothing listens there in a test run.
    client = SparqlClient("http://127.0.0.1:9/sparql", cache_path=cache, retry=FAST,
                          timeout=TIMEOUT)
    with pytest.raises(EndpointError, match="connection failed") as caught:
        client.select(QUERY)
    assert "http://127.0.0.1:9/sparql" in str(caught.value)
    assert client.stats.requests == FAST.attempts


def test_malformed_json_is_a_failed_attempt(fake: FakeEndpoint, cache: Path) -> None:
    client = _client(fake, "bad-json", cache)
    with pytest.raises(EndpointError, match="malformed JSON") as caught:
        client.select(QUERY)
    assert caught.value.status == 200 and caught.value.attempts == FAST.attempts
    assert fake.sent("bad-json") == FAST.attempts
    assert _cached_rows(cache) == 0


def test_malformed_json_once_then_success(fake: FakeEndpoint, cache: Path) -> None:
    client = _client(fake, "bad-json-once", cache)
    assert len(client.select(QUERY)) == 2
    assert fake.sent("bad-json-once") == 2 and client.stats.retries == 1


@pytest.mark.parametrize(("retry", "retry_after", "expected"), [
    (1, None, 1.0), (2, None, 2.0), (4, None, 8.0), (10, None, 60.0),
    (1, 5.0, 5.0), (3, 0.0, 0.0), (1, 600.0, 60.0),
])
def test_backoff_schedule(retry: int, retry_after: float | None, expected: float) -> None:
    assert RetryPolicy().wait(retry, retry_after) == expected


def test_retry_after_forms() -> None:
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120", now=now) == 120.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True),
                             now=now) == 30.0
    assert parse_retry_after("Wed, 01 Jan 2025 11:00:00 GMT", now=now) == 0.0  # past
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None) is None


def test_invalid_options_are_refused() -> None:
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError, match="max_concurrent"):
        SparqlClient("http://127.0.0.1:9/", max_concurrent=0)


# --- concurrency ---------------------------------------------------------------------------

def test_concurrent_requests_are_capped(fake: FakeEndpoint, cache: Path) -> None:
    client = _client(fake, "ok-slowly", cache)  # the default cap: 2
    errors: list[BaseException] = []

    def run(n: int) -> Callable[[], None]:
        def body() -> None:
            try:
                client.select(f"{QUERY} # {n}")
            except BaseException as exc:  # reported by the assertion below
                errors.append(exc)
        return body

    threads = [threading.Thread(target=run(n)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert errors == []
    assert fake.sent("ok-slowly") == 6 and client.stats.requests == 6
    assert fake.max_in_flight == client.max_concurrent == 2
    assert _cached_rows(cache) == 6


# --- a real SPARQL server ------------------------------------------------------------------

def test_real_sparql_server(wikidata_endpoint: str, cache: Path) -> None:
    client = SparqlClient(wikidata_endpoint, cache_path=cache, timeout=10)
    result = client.select(QUERY)
    labels = {(row["label"].value, row["label"].lang) for row in result}
    assert ("Iraq", "en") in labels
    assert client.select(QUERY).from_cache
    assert (client.stats.requests, client.stats.cache_hits) == (1, 1)


def test_an_endpoint_error_survives_the_trip_back_from_a_worker_process() -> None:
    # `kg extract --wikidata-endpoint` and the gold scorer link in worker processes: an
    # error that could not be unpickled broke the whole pool instead of one document.
    import pickle

    error = EndpointError("http://127.0.0.1:9/query", status=503, reason="busy", attempts=4)
    back = pickle.loads(pickle.dumps(error))
    assert isinstance(back, EndpointError)
    assert (back.endpoint, back.status, back.reason, back.attempts, str(back)) == (
        error.endpoint, 503, "busy", 4, str(error))
