"""Sending the KG to an external SPARQL server (Oxigraph server, Fuseki, GraphDB, QLever...).

This is how a KG that outgrows the embedded store moves to a server built for it. Each
named graph of the store (one per document, one per list, the ontology's) becomes the
same named graph on the server, replaced as a whole, so pushing again after a rebuild
replaces and never duplicates:

- with a Graph Store Protocol URL (`graph_store`), the first batch of a graph is a `PUT`
  (which replaces the graph) and the next batches are `POST`s (which add to it);
- otherwise, or when the server answers the Graph Store Protocol with 404, 405 or 501,
  SPARQL Update: `DROP SILENT GRAPH` with the first `INSERT DATA` batch, in one request,
  then `INSERT DATA` batches.

With the KG's base IRI (as `kg push` gives it), the server's named graphs under that base
which the store no longer holds (a document dropped from the KG since the last push) are
then removed, by Graph Store `DELETE` or `DROP SILENT GRAPH`; the list of graphs comes
from the server's SPARQL query endpoint. Graphs outside the base are never touched.

Large graphs go in batches of `batch_triples`; a graph with blank nodes goes whole,
since a blank node split over two requests would become two nodes. Requests that fail
for a passing reason (connection refused or reset, timeout, HTTP 429 or 5xx) are retried
with exponential backoff, honouring Retry-After; any other refusal stops the push with
a `PushError` that says what the server answered. Queries on the server give the same
answers as on the embedded store when its default graph is the union of the named graphs
(`oxigraph serve --union-default-graph`, Fuseki's `tdb2:unionDefaultGraph true`).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox
import requests

from kg.errors import KGError
from kg.publish.assets import query_text

if TYPE_CHECKING:
    from kg.store import KGStore

DEFAULT_BATCH = 50_000
DEFAULT_RETRIES = 4
DEFAULT_TIMEOUT = 120.0
# The longest wait between two attempts, whatever Retry-After says.
MAX_WAIT = 60.0
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Statuses by which a server says it has no Graph Store Protocol at that URL.
_NO_GSP = frozenset({404, 405, 501})
_NTRIPLES = "application/n-triples"
_LOOPBACK = ("127.0.0.1", "localhost", "::1")

Progress = Callable[[str, int], None]
"""Called after each batch with the graph's name and how many triples it held."""


class PushError(KGError):
    """The server cannot be reached or refused the data; nothing more was sent."""


@dataclass
class PushResult:
    graphs: int = 0
    triples: int = 0
    requests: int = 0
    retries: int = 0
    protocol: str = ""
    """"graph store" or "update": the protocol the data went by."""
    removed: list[str] = field(default_factory=list)
    """The graphs removed from the server because the store no longer holds them."""


@dataclass(frozen=True)
class Target:
    """Where a push goes, and how: the SPARQL Update endpoint, the Graph Store Protocol
    URL if any, the credentials and the retry policy."""

    endpoint: str
    graph_store: str | None = None
    user: str | None = None
    password: str | None = None
    retries: int = DEFAULT_RETRIES
    backoff: float = 0.5
    timeout: float = DEFAULT_TIMEOUT
    query_endpoint: str | None = None
    """The SPARQL query endpoint, which lists the server's graphs; by default the update
    endpoint's URL with its last `/update` made `/query` (Oxigraph, Fuseki)."""

    def graph_list_url(self) -> str:
        if self.query_endpoint:
            return self.query_endpoint
        head, slash, tail = self.endpoint.rpartition("/")
        if slash and tail == "update":
            return f"{head}/query"
        raise PushError(f"cannot tell the query endpoint of {self.endpoint}, which lists the "
                        "server's graphs so that those the store no longer holds are "
                        "removed: give it (--query-endpoint), or keep them (--keep-removed)")


class _Client:
    """One HTTP session for a push, with retries and clear errors."""

    def __init__(self, target: Target, result: PushResult) -> None:
        self.target = target
        self.result = result
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "kg-push (https://w3id.org/kg)"
        if target.user is not None:
            self.session.auth = (target.user, target.password or "")
        # A server on this machine is never reached through a proxy the environment names.
        if urlsplit(target.endpoint).hostname in _LOOPBACK:
            self.session.trust_env = False

    def send(self, method: str, url: str, body: bytes, content_type: str,
             *, tolerate: frozenset[int] = frozenset(), accept: str | None = None
             ) -> requests.Response:
        """Send one request, retrying passing failures; the response if it succeeded or
        its status is in `tolerate`, else a PushError."""
        attempt = 0
        headers = {"Content-Type": content_type}
        if accept is not None:
            headers["Accept"] = accept
        while True:
            self.result.requests += 1
            try:
                response = self.session.request(method, url, data=body, headers=headers,
                                                timeout=self.target.timeout)
            except requests.RequestException as exc:
                problem = f"cannot reach {url}: {_reason(exc)}"
                wait = None
            else:
                if response.ok or response.status_code in tolerate:
                    return response
                problem = _refusal(method, url, response)
                if response.status_code not in _RETRY_STATUSES:
                    raise PushError(problem)
                wait = _retry_after(response)
            if attempt >= self.target.retries:
                tries = f" (tried {attempt + 1} times)" if attempt else ""
                raise PushError(f"{problem}{tries}; is the server running, and is the URL "
                                "its SPARQL Update or Graph Store endpoint?")
            time.sleep(min(wait if wait is not None else self.target.backoff * 2 ** attempt,
                           MAX_WAIT))
            attempt += 1
            self.result.retries += 1


def _reason(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.ConnectionError):
        return "connection refused or lost (nothing listens there, or the network is down)"
    if isinstance(exc, requests.Timeout):
        return "no answer in time"
    return str(exc)


def _refusal(method: str, url: str, response: requests.Response) -> str:
    status = response.status_code
    text = " ".join(response.text.split())[:300]
    hint = {401: " (give --user and --password, or check them)",
            403: " (the account may not write to this server)",
            413: " (send smaller batches with --batch)"}.get(status, "")
    return f"{method} {url} was refused with HTTP {status}{hint}: {text or response.reason}"


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else None


def _graph_url(graph_store: str, graph: ox.NamedNode | ox.DefaultGraph) -> str:
    query = urlencode({"graph": graph.value}) if isinstance(graph, ox.NamedNode) else "default"
    return f"{graph_store}{'&' if '?' in graph_store else '?'}{query}"


def _batches(store: KGStore, graph: ox.NamedNode | ox.DefaultGraph,
             size: int) -> Iterator[list[ox.Triple]]:
    """The graph's triples in batches of `size`, or whole if it holds a blank node; at
    least one (maybe empty) batch, so that an emptied graph is emptied on the server."""
    triples = [quad.triple for quad in store.quads(graph)]
    if any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
           for t in triples):
        size = max(len(triples), 1)
    if not triples:
        yield []
    for start in range(0, len(triples), size):
        yield triples[start:start + size]


def _ntriples(triples: list[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def _update(graph: ox.NamedNode | ox.DefaultGraph, data: bytes, *, first: bool) -> bytes:
    """The SPARQL Update of one batch; the graph's name is pyoxigraph's N-Triples form of
    the IRI (escaped), and the data is N-Triples that pyoxigraph serialised."""
    name = "DEFAULT" if isinstance(graph, ox.DefaultGraph) else f"GRAPH {graph}"
    drop = f"DROP SILENT {name} ;\n".encode() if first else b""
    if isinstance(graph, ox.DefaultGraph):
        return drop + b"INSERT DATA {\n" + data + b"}\n"
    return drop + f"INSERT DATA {{ GRAPH {graph} {{\n".encode() + data + b"} }\n"


def push_store(store: KGStore, target: Target, *, batch_triples: int = DEFAULT_BATCH,
               progress: Progress | None = None, base: str | None = None) -> PushResult:
    """Send every named graph of `store` (and its default graph, if it holds anything)
    to the server of `target`, replacing the server's graphs of the same names.

    With `base` (the KG's base IRI), the server's named graphs under `base` that the store
    no longer holds (a document dropped from the KG) are then removed; graphs outside it
    are never touched, whoever put them there. They are removed last, so that a push that
    fails midway leaves old data on the server rather than missing data."""
    result = PushResult(protocol="graph store" if target.graph_store else "update")
    client = _Client(target, result)
    list_url = target.graph_list_url() if base is not None else None
    for graph in store.graph_names():
        if isinstance(graph, ox.DefaultGraph) and next(iter(store.quads(graph)), None) is None:
            continue
        result.graphs += 1
        for first, batch in zip(itertools.chain([True], itertools.repeat(False)),
                                _batches(store, graph, batch_triples), strict=False):
            data = _ntriples(batch)
            if result.protocol == "graph store" and target.graph_store:
                status = client.send("PUT" if first else "POST",
                                     _graph_url(target.graph_store, graph), data, _NTRIPLES,
                                     tolerate=_NO_GSP if first and result.graphs == 1
                                     else frozenset()).status_code
                if status in _NO_GSP:  # no Graph Store Protocol there: SPARQL Update
                    result.protocol = "update"
            if result.protocol == "update":
                client.send("POST", target.endpoint, _update(graph, data, first=first),
                            "application/sparql-update")
            result.triples += len(batch)
            if progress is not None:
                progress(graph.value if isinstance(graph, ox.NamedNode) else "default",
                         len(batch))
    if base is not None and list_url is not None:
        held = {g.value for g in store.graph_names() if isinstance(g, ox.NamedNode)}
        for name in _server_graphs(client, list_url):
            if name.startswith(base) and name not in held:
                _remove_graph(client, target, result, ox.NamedNode(name))
                result.removed.append(name)
    return result


def _server_graphs(client: _Client, url: str) -> list[str]:
    """The names of the server's named graphs."""
    response = client.send("POST", url, urlencode({"query": query_text("push-graphs")})
                           .encode("utf-8"), "application/x-www-form-urlencoded",
                           accept="application/sparql-results+json")
    try:
        bindings = response.json()["results"]["bindings"]
    except (ValueError, KeyError, TypeError) as exc:
        raise PushError(f"{url} did not answer the list of graphs with SPARQL JSON results "
                        f"({exc}); is it the server's query endpoint?") from exc
    return sorted({b["g"]["value"] for b in bindings
                   if b.get("g", {}).get("type") == "uri"})


def _remove_graph(client: _Client, target: Target, result: PushResult,
                  graph: ox.NamedNode) -> None:
    """Remove one graph: Graph Store DELETE (a 404 means it is gone already), else
    SPARQL Update DROP SILENT, whose graph name is pyoxigraph's escaped form of the IRI."""
    if result.protocol == "graph store" and target.graph_store:
        client.send("DELETE", _graph_url(target.graph_store, graph), b"", _NTRIPLES,
                    tolerate=frozenset({404}))
        return
    client.send("POST", target.endpoint, f"DROP SILENT GRAPH {graph}\n".encode(),
                "application/sparql-update")
