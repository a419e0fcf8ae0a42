"""`kg push` against a real `oxigraph serve`: after a push, every named query answers there
as on the embedded store; a push again replaces and never duplicates; an unreachable or
refusing server stops the push with a clear message and exit code 2. Retries,
credentials and the fallback to SPARQL Update are checked against a scripted server."""

from __future__ import annotations

import re
import shlex
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import make_server

import pyoxigraph as ox
import pytest
import requests
from rdflib import Literal, URIRef

import kg.namespace as ns
from kg.publish.push import PushError, Target, push_store
from kg.queries import NamedQuery, bind_params, list_queries
from kg.reconcile.sparql import values_block
from kg.store import KGStore
from tests.conftest import run_kg

XSD_STRING = str(ns.XSD.string)
Row = tuple[tuple[str, ...] | None, ...]


def example_params(query: NamedQuery) -> dict[str, URIRef | Literal]:
    """The parameters of the query's first `# example:` line, bound as kg query binds them."""
    raw: dict[str, str] = {}
    if query.examples:
        words = shlex.split(query.examples[0])
        for flag, value in zip(words, words[1:], strict=False):
            if flag in ("--param", "-p"):
                name, _, text = value.partition("=")
                raw[name] = text
    return bind_params(query, raw)


def remote_text(query: NamedQuery, params: dict[str, URIRef | Literal]) -> str:
    """The query as a server takes it: kg's prefixes declared, and the parameters, which
    the embedded store substitutes, given by a one-row VALUES block at the start of every
    group that names them. (One block at the start of WHERE would not do: a FILTER in a
    nested group sees only that group's variables.)"""
    prefixes = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in ns.PREFIXES.items())
    body = "\n".join(line for line in query.text.splitlines() if not line.startswith("#"))
    if params:
        block = values_block(list(params), [list(params.values())])
        start = re.search(r"\bWHERE\s*\{", body, flags=re.I)
        assert start is not None, query.name
        names = re.compile(r"\?(" + "|".join(map(re.escape, params)) + r")\b")
        opened: list[tuple[int, bool]] = []  # each open group: where, names a parameter
        inserts = []
        for i in range(start.end() - 1, len(body)):
            if body[i] == "{":
                opened.append((i, False))
            elif body[i] == "}" and opened:
                where, named = opened.pop()
                if named or not opened:  # the WHERE group itself always gets one
                    inserts.append(where + 1)
                if not opened:
                    break
            elif opened and body[i] == "?" and names.match(body, i):
                opened[-1] = (opened[-1][0], True)
        for at in sorted(inserts, reverse=True):
            body = body[:at] + "\n  " + block + "\n" + body[at:]
    return prefixes + body


def _term(term: Any) -> tuple[str, ...] | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("uri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode",)
    if term.language:
        return ("literal", term.value, "@" + term.language)
    datatype = term.datatype.value
    return ("literal", term.value, "" if datatype == XSD_STRING else datatype)


def _json_term(term: dict[str, str] | None) -> tuple[str, ...] | None:
    if term is None:
        return None
    if term["type"] == "uri":
        return ("uri", term["value"])
    if term["type"] == "bnode":
        return ("bnode",)
    if "xml:lang" in term:
        return ("literal", term["value"], "@" + term["xml:lang"])
    datatype = term.get("datatype", "")
    return ("literal", term["value"], "" if datatype == XSD_STRING else datatype)


def embedded_rows(store: KGStore, query: NamedQuery, params: dict[str, Any]) -> list[Row]:
    results = store.query(query.text, params)
    names = [v.value for v in results.variables]
    return sorted((tuple(_term(s[n]) for n in names) for s in results), key=repr)


def remote_rows(base: str, query: NamedQuery, params: dict[str, Any]) -> list[Row]:
    response = requests.post(base + "/query", data={"query": remote_text(query, params)},
                             headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert response.status_code == 200, response.text
    answer = response.json()
    names = answer["head"]["vars"]
    return sorted((tuple(_json_term(b.get(n)) for n in names)
                   for b in answer["results"]["bindings"]), key=repr)


def remote_count(base: str) -> int:
    response = requests.post(base + "/query", data={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"}, timeout=60)
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_after_a_push_every_named_query_answers_the_same(oxigraph_server: str,
                                                         examples_store: Path) -> None:
    result = run_kg("push", "--store", str(examples_store), "--quiet",
                    "--endpoint", oxigraph_server + "/update",
                    "--graph-store", oxigraph_server + "/store")
    assert result.returncode == 0, result.stderr
    assert "by graph store" in result.stdout
    store = KGStore(examples_store, read_only=True)
    queries = list_queries()
    assert len(queries) >= 8
    nonempty = 0
    for query in queries:
        params = example_params(query)
        assert {p.name for p in query.params if not p.optional} <= set(params), query.name
        expected = embedded_rows(store, query, params)
        assert remote_rows(oxigraph_server, query, params) == expected, query.name
        nonempty += bool(expected)
    # The comparisons are of real answers; some queries (disagreements, links awaiting
    # review) rightly find nothing in the bundled examples.
    assert nonempty >= len(queries) // 2
    assert remote_count(oxigraph_server) == len(store)


def test_a_push_again_replaces_and_never_duplicates(oxigraph_server: str,
                                                    examples_store: Path) -> None:
    store = KGStore(examples_store, read_only=True)
    by_update = Target(oxigraph_server + "/update")
    by_gsp = Target(oxigraph_server + "/update", oxigraph_server + "/store")
    first = push_store(store, by_update, batch_triples=200)
    assert first.protocol == "update" and first.triples == len(store)
    assert first.requests > first.graphs  # large graphs went in several batches
    assert remote_count(oxigraph_server) == len(store)
    for target in (by_update, by_gsp, by_gsp):
        push_store(store, target, batch_triples=300)
        assert remote_count(oxigraph_server) == len(store)


def remote_graphs(base: str) -> dict[str, int]:
    """How many triples each named graph of the server holds."""
    response = requests.post(base + "/query", data={
        "query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"},
        headers={"Accept": "application/sparql-results+json"}, timeout=60)
    return {b["g"]["value"]: int(b["n"]["value"])
            for b in response.json()["results"]["bindings"]}


@pytest.mark.parametrize("protocol", ["graph store", "update"])
def test_a_push_again_removes_the_graphs_the_store_no_longer_holds(
        oxigraph_server: str, examples_store: Path, tmp_path: Path, protocol: str) -> None:
    path = tmp_path / "kg-data"
    shutil.copytree(examples_store, path)
    # A graph someone else keeps on the server, outside the KG's base: never touched.
    foreign = "https://example.org/their-graph"
    response = requests.post(oxigraph_server + "/update", timeout=30, data=(
        f"INSERT DATA {{ GRAPH <{foreign}> {{ <{foreign}#s> <{foreign}#p> 'kept' }} }}"),
        headers={"Content-Type": "application/sparql-update"})
    assert response.ok, response.text
    gsp = ["--graph-store", oxigraph_server + "/store"] if protocol == "graph store" else []
    args = ["push", "--store", str(path), "--quiet", "--endpoint",
            oxigraph_server + "/update", *gsp]
    assert run_kg(*args).returncode == 0
    before = remote_graphs(oxigraph_server)
    store = KGStore(path)
    gone = store.document_graphs()[0]
    assert gone.startswith(ns.DEFAULT_BASE) and gone in before
    store.db.remove_graph(ox.NamedNode(gone))
    store.flush()
    del store
    result = run_kg(*args)
    assert result.returncode == 0, result.stderr
    assert f"by {protocol}, removed 1 graphs" in result.stdout
    after = remote_graphs(oxigraph_server)
    assert gone not in after and after[foreign] == 1
    assert after == {g: n for g, n in before.items() if g != gone}


def test_keep_removed_and_a_server_without_a_known_query_endpoint(
        scripted: tuple[str, Scripted], small_store: KGStore) -> None:
    url, app = scripted
    with pytest.raises(PushError, match="--query-endpoint"):
        push_store(small_store, Target(url + "/statements"), base=ns.DEFAULT_BASE)
    assert app.seen == []  # refused before anything was sent
    push_store(small_store, Target(url + "/statements"))  # base=None keeps them
    assert [s["path"] for s in app.seen] == ["/statements"]


def test_a_push_to_nothing_fails_clearly(examples_store: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run_kg("push", "--store", str(examples_store), "--quiet", "--retries", "1",
                    "--endpoint", f"http://127.0.0.1:{port}/update")
    assert result.returncode == 2
    assert f"cannot reach http://127.0.0.1:{port}/update" in result.stderr
    assert "tried 2 times" in result.stderr and "Traceback" not in result.stderr


class Scripted:
    """A server that answers each request with the next status of a script (then 204),
    and records what it was sent."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.seen: list[dict[str, str]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        self.seen.append({"method": environ["REQUEST_METHOD"], "path": environ["PATH_INFO"],
                          "auth": environ.get("HTTP_AUTHORIZATION", ""),
                          "body": environ["wsgi.input"].read(length).decode("utf-8")})
        status = self.statuses.pop(0) if self.statuses else 204
        headers = [("Retry-After", "0")] if status == 503 else []
        start_response(f"{status} Scripted", headers)
        return [b"scripted answer"]


@pytest.fixture
def scripted() -> Iterator[tuple[str, Scripted]]:
    app = Scripted([])
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", app
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def small_store(tmp_path: Path) -> KGStore:
    """A store holding the ontology's graph only."""
    return KGStore(tmp_path / "kg-data")


def test_retries_passing_failures_with_credentials(scripted: tuple[str, Scripted],
                                                   small_store: KGStore) -> None:
    url, app = scripted
    app.statuses[:] = [503, 502]
    result = push_store(small_store, Target(url + "/update", url + "/store", "ana", "s3cret",
                                            backoff=0.01))
    assert result.retries == 2 and result.protocol == "graph store"
    assert [s["method"] for s in app.seen] == ["PUT"] * 3
    assert {s["auth"] for s in app.seen} == {"Basic YW5hOnMzY3JldA=="}  # ana:s3cret
    assert "ontology" in app.seen[0]["body"]


def test_falls_back_to_sparql_update_without_a_graph_store(scripted: tuple[str, Scripted],
                                                           small_store: KGStore) -> None:
    url, app = scripted
    app.statuses[:] = [405]
    result = push_store(small_store, Target(url + "/update", url + "/store"))
    assert result.protocol == "update"
    assert [(s["method"], s["path"]) for s in app.seen] == [("PUT", "/store"),
                                                            ("POST", "/update")]
    assert app.seen[1]["body"].startswith(
        "DROP SILENT GRAPH <https://w3id.org/kg/ontology> ;\nINSERT DATA")


@pytest.mark.parametrize(("status", "hint"), [(401, "--user and --password"),
                                              (403, "may not write"), (400, "HTTP 400")])
def test_a_refusal_stops_at_once(scripted: tuple[str, Scripted], small_store: KGStore,
                                 status: int, hint: str) -> None:
    url, app = scripted
    app.statuses[:] = [status]
    with pytest.raises(PushError, match=re.escape(hint)):
        push_store(small_store, Target(url + "/update", backoff=0.01))
    assert len(app.seen) == 1


def test_too_many_passing_failures_give_up(scripted: tuple[str, Scripted],
                                           small_store: KGStore) -> None:
    url, app = scripted
    app.statuses[:] = [503] * 5
    with pytest.raises(PushError, match="HTTP 503.*tried 3 times"):
        push_store(small_store, Target(url + "/update", retries=2, backoff=0.01))
