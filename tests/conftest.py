"""Shared fixtures: paths to the repository's and ../shared's data, a KG built once from
examples/, and a runner for the `kg` command as a user calls it."""

from __future__ import annotations

import gc
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kg.build import build
from kg.store import KGStore

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
EXAMPLES = ROOT / "examples"
CORPUS = SHARED / "corpus"
SHARED_GOLD = SHARED / "gold"
FACTSCORE = SHARED / "tools" / "factscore.py"


def run_kg(
    *args: str, cwd: Path | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run the installed `kg` command; output as text."""
    kg = Path(sys.executable).parent / "kg"
    return subprocess.run([str(kg), *args], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout, check=False)


@pytest.fixture(scope="session")
def examples_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built from examples/ (read-only for tests: copy it to modify)."""
    path = tmp_path_factory.mktemp("examples") / "kg-data"
    store = KGStore(path)
    result = build([EXAMPLES], store)
    assert not result.failed and not result.quarantined, result.outcomes
    store.flush()
    del store
    gc.collect()  # closed now: tests copy its folder, which RocksDB must not be changing
    return path


ERROR_LINE = re.compile(r"^error: (.+?): (.+)$", re.M)


def build_summary(stdout: str) -> str:
    """The one-line summary `kg build` ends with ("read N inputs: ...")."""
    match = re.search(r"read \d+ inputs: .*", stdout)
    assert match, stdout
    return match.group(0)


def error_lines(stderr: str) -> dict[str, str]:
    """Each `error: FILE: PROBLEM` line of a run, by file."""
    return dict(ERROR_LINE.findall(stderr))


# The `wikidata_endpoint` fixture's imports, kept beside it.
import socket  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402

WIKIDATA_SUBSET = SHARED / "wikidata" / "wikidata-subset.ttl"


@pytest.fixture(scope="session")
def wikidata_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a real SPARQL endpoint serving ../shared/wikidata/wikidata-subset.ttl.

    A read-only Oxigraph server on a free loopback port, for the whole session. The file uses
    Wikidata's own RDF vocabulary, so code that works against it works against Wikidata's query
    service, without the network. The server is terminated when the session ends.
    """
    with _serving_files(tmp_path_factory, "wikidata", [WIKIDATA_SUBSET]) as query_url:
        yield query_url


@pytest.fixture(scope="session")
def lookalike_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """As `wikidata_endpoint`, with synthetic look-alike items beside the real statements
    (tests/data/wikidata-lookalikes.ttl, under http://lookalike.example/entity/)."""
    with _serving_files(tmp_path_factory, "lookalikes",
                        [WIKIDATA_SUBSET, LOOKALIKES]) as query_url:
        yield query_url


LOOKALIKES = ROOT / "tests" / "data" / "wikidata-lookalikes.ttl"
LOOKALIKE_ITEMS = "http://lookalike.example/entity/"


@contextmanager
def _serving_files(tmp_path_factory: pytest.TempPathFactory, name: str,
                   files: list[Path]) -> Iterator[str]:
    """A read-only Oxigraph server holding `files`: its query URL."""
    location = tmp_path_factory.mktemp(f"{name}-oxigraph")
    for path in files:
        subprocess.run([str(_oxigraph()), "load", "--location", str(location),
                        "--file", str(path)], check=True, capture_output=True, timeout=60)
    log_path = tmp_path_factory.mktemp(f"{name}-oxigraph-log") / "serve.log"
    with _oxigraph_serving(["serve-read-only", "--location", str(location)], log_path) as base:
        yield base + "/query"


def _oxigraph() -> Path:
    oxigraph = Path(sys.executable).parent / "oxigraph"
    if not oxigraph.is_file():
        pytest.fail(f"{oxigraph} is missing: install the test extra (pip install -e '.[test]')")
    return oxigraph


def _free_port() -> int:
    with socket.socket() as probe:  # ask the OS for a free port
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _oxigraph_serving(args: list[str], log_path: Path) -> Iterator[str]:
    """`oxigraph ARGS --bind 127.0.0.1:PORT` on a free port, once it answers a query; its
    base URL. The log goes to a file: a pipe nobody reads could fill up and stall it."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with log_path.open("w", encoding="utf-8") as log:
        server = subprocess.Popen([str(_oxigraph()), *args, "--bind", f"127.0.0.1:{port}"],
                                  stdout=log, stderr=subprocess.STDOUT)
    try:
        # No proxy: the server is on the loopback interface, whatever the environment says.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        ready_url = base + "/query?" + urllib.parse.urlencode({"query": "ASK {}"})
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None:
                pytest.fail(f"oxigraph {args[0]} exited with {server.returncode}: "
                            f"{log_path.read_text(encoding='utf-8')}")
            try:
                with opener.open(ready_url, timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass  # not listening yet
            if time.monotonic() > deadline:
                pytest.fail(f"oxigraph {args[0]} did not answer at {base} within 30 s")
            time.sleep(0.05)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# The reconciliation service's fixtures, and their imports, kept beside them.
import shutil  # noqa: E402
import threading  # noqa: E402
from socketserver import ThreadingMixIn  # noqa: E402
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server  # noqa: E402

from rdflib import Graph, Literal, URIRef  # noqa: E402

from kg.namespace import DEFAULT_BASE, KG, RDF, RDFS, SKOS, WD  # noqa: E402

RECON_EXTRA_GRAPH = URIRef(DEFAULT_BASE + "document/recon-test-extra")
# A name with everything that breaks hand-made SPARQL, JSON or HTML.
HOSTILE_NAME = 'Brigade "Red} #1\\ <script>alert(1)</script>'


def recon_extra_graph() -> Graph:
    """What examples/ lacks to exercise property conditions: Wikidata links (QIDs made
    up for the tests), a nationality, and an actor with a hostile name."""
    graph = Graph()
    actor = URIRef(DEFAULT_BASE + "armed-group/kataib-hizballah")
    graph.add((actor, SKOS.exactMatch, WD.Q900001))
    graph.add((URIRef(DEFAULT_BASE + "armed-group/hizballah"), SKOS.exactMatch, WD.Q900002))
    soleimani = URIRef(DEFAULT_BASE + "person/qasem-soleimani")
    graph.add((soleimani, KG.nationality, URIRef(DEFAULT_BASE + "state/iran")))
    graph.add((soleimani, SKOS.exactMatch, WD.Q900003))
    hostile = URIRef(DEFAULT_BASE + "armed-group/hostile-brigade")
    graph.add((hostile, RDF.type, KG.ArmedGroup))
    graph.add((hostile, RDFS.label, Literal(HOSTILE_NAME)))
    graph.add((hostile, SKOS.altLabel, Literal("Line\nbreak Brigade")))
    return graph


@pytest.fixture(scope="session")
def recon_store(examples_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the examples store with recon_extra_graph() added."""
    path = tmp_path_factory.mktemp("recon") / "kg-data"
    shutil.copytree(examples_store, path)
    store = KGStore(path)
    store.replace_document(RECON_EXTRA_GRAPH, recon_extra_graph())
    store.flush()
    del store
    return path


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def recon_url(recon_store: Path) -> Iterator[str]:
    """The URL of the reconciliation service over recon_store, served by wsgiref (one
    thread per request) on a free loopback port for the whole session."""
    from kg.publish.reconcile_api import make_app

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    store = KGStore(recon_store, read_only=True)
    server = make_server("127.0.0.1", port, make_app(store, DEFAULT_BASE, url),
                         server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[str]:
    """The base URL of an empty, writable Oxigraph server (`/query`, `/update`, `/store`)
    on a free loopback port, whose default graph is the union of its named graphs, as
    the embedded store's queries expect; terminated after the test."""
    args = ["serve", "--location", str(tmp_path / "oxigraph"), "--union-default-graph"]
    with _oxigraph_serving(args, tmp_path / "oxigraph-serve.log") as base:
        yield base


# The `kg serve` fixtures' imports, kept beside them.
import contextlib  # noqa: E402
import datetime as dt  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

# Limits of the test server: small enough that tests can pass them with the examples KG.
SERVE_QUERY_SECONDS = 2.0
SERVE_RESULT_BYTES = 200_000
SERVE_BODY_BYTES = 20_000
# "Today" for the pages of the test server, so that "in force now" does not drift.
SERVE_TODAY = dt.date(2026, 1, 1)


def _hello_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """A trivial WSGI app mounted under /hello: it answers with what it was given."""
    body = f"{environ['SCRIPT_NAME']}|{environ['PATH_INFO']}".encode()
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]


@dataclass
class RunningServer:
    url: str  # without a trailing slash
    app: Any
    port: int


@contextlib.contextmanager
def serving(store_path: Path, dump_folder: Path, *, query_workers: int = 2,
            threads: int | None = None) -> Iterator[RunningServer]:
    """`kg serve` over a store, on a free loopback port, in a thread (a real waitress
    server: clients talk HTTP to it), with the Reconciliation API at /reconcile as `kg
    serve` mounts it, and a trivial app mounted at /hello."""
    from kg.namespace import DEFAULT_BASE
    from kg.publish.reconcile_api import MountedReconcileApp
    from kg.publish.serve import DEFAULT_THREADS, create
    from kg.publish.server import ServerLimits, make_app

    store = KGStore(store_path, read_only=True)
    limits = ServerLimits(query_seconds=SERVE_QUERY_SECONDS, result_bytes=SERVE_RESULT_BYTES,
                          body_bytes=SERVE_BODY_BYTES, query_workers=query_workers)
    mounts = {"/hello": _hello_app, "/reconcile": MountedReconcileApp(store, DEFAULT_BASE)}
    app = make_app(store, DEFAULT_BASE, mounts=mounts, limits=limits,
                   dump_folder=dump_folder, today=lambda: SERVE_TODAY)
    server = create(app, "127.0.0.1", 0, threads=threads or DEFAULT_THREADS)
    thread = threading.Thread(target=server.run, daemon=True, name="kg-serve-test")
    thread.start()
    try:
        yield RunningServer(f"http://127.0.0.1:{server.effective_port}", app,
                            server.effective_port)
    finally:
        server.close()
        server.task_dispatcher.shutdown()
        app.close()


@pytest.fixture(scope="session")
def kg_server(examples_store: Path, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[RunningServer]:
    """`kg serve` over the examples store (see `serving`)."""
    with serving(examples_store, tmp_path_factory.mktemp("dumps")) as running:
        yield running


@pytest.fixture
def http() -> Iterator[Any]:
    """A requests session that never goes through a proxy (the servers are on loopback)."""
    import requests

    with requests.Session() as session:
        session.trust_env = False
        yield session


def rapper_parse(data: bytes, syntax: str, tmp_path: Path) -> int:
    """How many triples rapper (Raptor, an RDF parser independent of rdflib and Oxigraph)
    reads from `data` in `syntax` (turtle, ntriples, rdfxml, nquads, trig); fails the test
    on any error or warning."""
    source = tmp_path / f"data.{syntax}"
    source.write_bytes(data)
    result = subprocess.run(["rapper", "-i", syntax, "-o", "ntriples", "--count",
                             str(source), "http://127.0.0.1/base"],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr.lower(), result.stderr
    match = re.search(r"Parsing returned (\d+) (?:triples|statements)", result.stderr)
    assert match, result.stderr
    return int(match.group(1))
