"""What `kg serve` writes to its log: errors as they happen, and one line a minute at most
about requests waiting for a thread, instead of waitress's warning per queued request.

Waitress warns "Task queue depth is N" each time a request arrives while all its
threads are busy. With 50 clients and 16 threads that is every other request: hundreds
of lines a minute that say the same expected thing and bury the errors. The warning is
turned into a debug record (shown by `kg serve --verbose`) and counted, and a summary
says how many requests waited and how deep the queue got, which is what tells an
operator whether to raise `--threads`. Only that message of `waitress.queue` is touched:
waitress's errors and the application's own go on at their levels.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

QUEUE_LOGGER = "waitress.queue"
# The message of waitress.task.ThreadedTaskDispatcher.add_task (waitress 2 and 3).
QUEUE_MESSAGE = "Task queue depth is %d"
SUMMARY_SECONDS = 60.0
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

log = logging.getLogger("kg.publish.serve")


class QueueDepthFilter(logging.Filter):
    """On the `waitress.queue` logger: each queue-depth warning becomes a debug record
    (dropped unless that logger is enabled for debug) and counts toward a summary, logged
    at INFO with the first waiting request and then at most once per `interval` seconds,
    when another request waits."""

    def __init__(self, interval: float = SUMMARY_SECONDS, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.interval = interval
        self.clock = clock
        self._lock = threading.Lock()
        self._waited = 0
        self._deepest = 0
        self._since: float | None = None  # when the counts being summed up began

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg != QUEUE_MESSAGE:
            return True
        depth = record.args[0] if isinstance(record.args, tuple) and record.args else 0
        self._count(int(depth) if isinstance(depth, int) else 0)
        record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)

    def _count(self, depth: int) -> None:
        now = self.clock()
        with self._lock:
            self._waited += 1
            self._deepest = max(self._deepest, depth)
            if self._since is not None and now - self._since < self.interval:
                return
            waited, deepest = self._waited, self._deepest
            span = 0.0 if self._since is None else now - self._since
            self._waited, self._deepest, self._since = 0, 0, now
        during = f"in the last {span:.0f} s" if span else "now"
        log.info("busy: %d request%s waited for a free thread %s, at most %d at once "
                 "(--threads sets how many requests are answered at once)",
                 waited, "" if waited == 1 else "s", during, deepest)


def quiet_queue_warnings() -> QueueDepthFilter:
    """Install the filter on waitress's queue logger (once per process: every server of
    the process logs there); the installed filter."""
    logger = logging.getLogger(QUEUE_LOGGER)
    for existing in logger.filters:
        if isinstance(existing, QueueDepthFilter):
            return existing
    installed = QueueDepthFilter()
    logger.addFilter(installed)
    return installed


def configure_logging(*, verbose: bool) -> None:
    """The log of `kg serve`, on stderr: warnings and errors of everything, kg's own
    information (the busy summaries); with `verbose`, kg's and waitress's debug records
    too, the queue depth of every waiting request among them."""
    logging.basicConfig(level=logging.WARNING, format=LOG_FORMAT)
    level = logging.DEBUG if verbose else logging.INFO
    logging.getLogger("kg").setLevel(level)
    if verbose:
        logging.getLogger("waitress").setLevel(logging.DEBUG)
