"""The server's log under load: no warning per request that waits for a thread, one
summary line instead, the per-request records still there for --verbose, and errors as
loud as before. The load comes from many clients at once against a real server with few
threads, as in tests/test_serve_load.py."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from kg.publish.serve_log import QUEUE_LOGGER, QUEUE_MESSAGE, QueueDepthFilter
from tests.conftest import RunningServer, serving

CLIENTS = 24
REQUESTS_PER_CLIENT = 4
THREADS = 2
PAGES = ["armed-group/kataib-hizballah", "armed-group/al-shabaab", "state/iran",
         "person/qasem-soleimani"]


@pytest.fixture(scope="module")
def small_server(examples_store: Path, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[RunningServer]:
    """Two threads for 24 clients: most requests wait in waitress's queue. The process's
    queue filter is a fresh one meanwhile, whose first summary is not spent on the load
    of another test module."""
    logger = logging.getLogger(QUEUE_LOGGER)
    before = [f for f in logger.filters if isinstance(f, QueueDepthFilter)]
    for installed in before:
        logger.removeFilter(installed)
    try:
        with serving(examples_store, tmp_path_factory.mktemp("log-dumps"), query_workers=1,
                     threads=THREADS) as running:
            yield running
    finally:
        for fresh in [f for f in logger.filters if isinstance(f, QueueDepthFilter)]:
            logger.removeFilter(fresh)
        for installed in before:
            logger.addFilter(installed)


def _load(server: RunningServer) -> list[int]:
    start = threading.Barrier(CLIENTS)

    def client(number: int) -> list[int]:
        with requests.Session() as session:
            session.trust_env = False
            start.wait(timeout=60)
            return [session.get(f"{server.url}/kg/id/{PAGES[(number + i) % len(PAGES)]}.html",
                                timeout=120).status_code for i in range(REQUESTS_PER_CLIENT)]

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        return [status for statuses in pool.map(client, range(CLIENTS)) for status in statuses]


def _queue_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == QUEUE_LOGGER and r.msg == QUEUE_MESSAGE]


def test_no_queue_warnings_under_load_but_a_summary(
        small_server: RunningServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)  # what `kg serve` shows without --verbose
    statuses = _load(small_server)
    assert statuses == [200] * CLIENTS * REQUESTS_PER_CLIENT
    assert not _queue_records(caplog)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    summaries = [r.getMessage() for r in caplog.records if r.name == "kg.publish.serve"]
    assert summaries and summaries[0].startswith("busy: ")
    assert "waited for a free thread" in summaries[0] and "--threads" in summaries[0]


def test_verbose_shows_each_queue_depth_as_debug(
        small_server: RunningServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="waitress")  # what `kg serve --verbose` sets
    _load(small_server)
    records = _queue_records(caplog)
    assert records and {r.levelno for r in records} == {logging.DEBUG}
    assert all(int(r.getMessage().rsplit(" ", 1)[1]) >= 1 for r in records)


def test_other_records_of_the_queue_logger_and_errors_pass(
        caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger(QUEUE_LOGGER)
    with caplog.at_level(logging.WARNING):
        logger.error("something else went wrong")
        logging.getLogger("waitress").error("a real error")
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.ERROR, "something else went wrong"), (logging.ERROR, "a real error")]


def test_the_summary_comes_once_per_interval() -> None:
    now = [0.0]
    summaries: list[str] = []
    quiet = QueueDepthFilter(60.0, clock=lambda: now[0])

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            summaries.append(record.getMessage())

    serve_log = logging.getLogger("kg.publish.serve")
    handler, level = Catch(), serve_log.level
    serve_log.addHandler(handler)
    serve_log.setLevel(logging.INFO)
    try:
        for second, depth in ((0, 3), (10, 7), (59, 2), (61, 1), (90, 4)):
            now[0] = float(second)
            record = logging.LogRecord(QUEUE_LOGGER, logging.WARNING, __file__, 0,
                                       QUEUE_MESSAGE, (depth,), None)
            assert quiet.filter(record) is False and record.levelno == logging.DEBUG
    finally:
        serve_log.removeHandler(handler)
        serve_log.setLevel(level)
    assert summaries == [
        "busy: 1 request waited for a free thread now, at most 3 at once (--threads sets "
        "how many requests are answered at once)",
        "busy: 3 requests waited for a free thread in the last 61 s, at most 7 at once "
        "(--threads sets how many requests are answered at once)"]
