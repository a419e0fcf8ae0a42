"""Client queries run in worker processes, so that a query over the time limit can be
stopped.

Oxigraph has no way to cancel a query from Python, and a thread cannot be killed: a query
that joins everything with everything would hold a server thread and a core for ever. A
process can be killed. Each worker opens the store read-only, runs one query at a time,
serialises the answer itself (the bytes are what crosses the pipe) and stops writing when
the answer passes the size limit. A worker that overruns the time limit is killed and
replaced; the client gets a clear error.
"""

from __future__ import annotations

import io
import multiprocessing
import multiprocessing.connection
import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.publish.conneg import RDF, RESULTS


@dataclass(frozen=True)
class QueryJob:
    """One query as the protocol received it, with the formats the client accepts."""

    query: str
    results_format: str  # a key of conneg.RESULTS for SELECT and ASK; "" if none accepted
    graph_format: str  # a key of conneg.RDF for CONSTRUCT and DESCRIBE; "" if none accepted
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueryAnswer:
    """What a worker answers: a status, and the body with its media type or an error."""

    status: int
    body: bytes
    media_type: str = "text/plain"
    representation: str = ""
    headers: tuple[tuple[str, str], ...] = field(default=())


class _TooLargeError(Exception):
    pass


class _LimitedBuffer(io.BytesIO):
    """A binary sink that refuses to grow past a limit, so a worker never holds an answer
    too large to send."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.overflowed = False

    def write(self, data: Any, /) -> int:
        if self.tell() + len(memoryview(data)) > self.limit:
            self.overflowed = True
            raise _TooLargeError
        return super().write(data)


def _run_job(db: ox.Store, prefixes: dict[str, str], job: QueryJob, max_bytes: int
             ) -> QueryAnswer:
    options: dict[str, Any] = {"prefixes": prefixes}
    if job.default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    else:
        options["use_default_graph_as_union"] = True
    if job.named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    try:
        results = db.query(job.query, **options)
    except SyntaxError as exc:
        return QueryAnswer(400, f"SPARQL syntax error: {exc}".encode())
    except ValueError as exc:
        return QueryAnswer(400, f"bad query: {exc}".encode())
    sink = _LimitedBuffer(max_bytes)
    try:
        wanted = job.graph_format if isinstance(results, ox.QueryTriples) else job.results_format
        if not wanted:
            kinds = "graph" if isinstance(results, ox.QueryTriples) else "results"
            offers = RDF if isinstance(results, ox.QueryTriples) else RESULTS
            types = ", ".join(rep.media_type for rep, _ in offers.values())
            return QueryAnswer(406, f"this query gives a {kinds}, and the Accept header takes "
                                    f"none of its formats: {types}".encode())
        if isinstance(results, ox.QueryTriples):
            graph_rep, graph_format = RDF[job.graph_format]
            results.serialize(sink, graph_format)
            rep = graph_rep
        else:
            results_rep, results_format = RESULTS[job.results_format]
            results.serialize(sink, results_format)
            rep = results_rep
    except Exception as exc:  # the sink's refusal comes back wrapped by Oxigraph
        if sink.overflowed:
            return QueryAnswer(422, (
                f"the answer is larger than this server's limit of {max_bytes} bytes; "
                "ask for less (LIMIT and OFFSET, fewer variables) or use a dump from "
                "/dumps/").encode())
        return QueryAnswer(500, f"query failed: {exc}".encode())
    return QueryAnswer(200, sink.getvalue(), rep.content_type, rep.name)


def _worker_main(conn: multiprocessing.connection.Connection, store_path: str,
                 max_bytes: int) -> None:
    """A worker's life: open the store, answer jobs until the pipe closes."""
    from kg.namespace import PREFIXES
    from kg.store import KGStore

    db = KGStore(store_path, read_only=True).db
    prefixes = {k: str(v) for k, v in PREFIXES.items()}
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(_run_job(db, prefixes, job, max_bytes))


class _Worker:
    def __init__(self, context: Any, store_path: str, max_bytes: int) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, store_path, max_bytes),
                                       daemon=True, name="kg-query-worker")
        self.process.start()
        child.close()
        self.ready = False

    def wait_ready(self, timeout: float) -> bool:
        if not self.ready and self.conn.poll(timeout):
            self.ready = self.conn.recv() == "ready"
        return self.ready

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryWorkers:
    """A fixed number of worker processes; a job waits for a free one."""

    def __init__(self, store_path: Path, *, workers: int, time_limit: float,
                 max_bytes: int) -> None:
        # Spawned, not forked: forking a process that runs server threads is unsafe.
        self._context = multiprocessing.get_context("spawn")
        self.store_path = str(store_path)
        self.time_limit = time_limit
        self.max_bytes = max_bytes
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        for _ in range(workers):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        worker = _Worker(self._context, self.store_path, self.max_bytes)
        with self._lock:
            self._all.add(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)

    def run(self, job: QueryJob) -> QueryAnswer:
        try:
            worker = self._idle.get(timeout=self.time_limit + 30)
        except queue.Empty:
            return QueryAnswer(503, b"all query workers are busy; try again shortly",
                               headers=(("Retry-After", "5"),))
        try:
            if not worker.wait_ready(60):
                self._retire(worker)
                worker = self._start()
                return QueryAnswer(503, b"a query worker could not open the store",
                                   headers=(("Retry-After", "5"),))
            worker.conn.send(job)
            if worker.conn.poll(self.time_limit):
                answer: QueryAnswer = worker.conn.recv()
                return answer
            self._retire(worker)
            worker = self._start()
            return QueryAnswer(503, (
                f"the query was stopped: it ran longer than this server's limit of "
                f"{self.time_limit:g} s; narrow it (more specific patterns, LIMIT) or use a "
                "dump from /dumps/").encode())
        except (EOFError, OSError, BrokenPipeError) as exc:
            self._retire(worker)
            worker = self._start()
            return QueryAnswer(500, f"a query worker failed: {exc}".encode())
        finally:
            self._idle.put(worker)

    def close(self) -> None:
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()
