"""Pages that were slow to build, kept in memory and sent again as they are.

The most mentioned actors have the largest pages (hundreds of claims, each with its
sources: 0.2 to 0.5 s to build on a million triples) and are the most visited, so under
load their visitors queued behind one another: p95 of 3 s at 10 clients. The store is
read-only while served, so a page built once stays right for the day it was built for
(its designations "in force" depend on the day). Only slow pages are kept, so that the
memory goes where it saves time; one thread builds a page while the others asking for it
wait for that page rather than build it too.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

DEFAULT_MIN_SECONDS = 0.05
DEFAULT_MAX_BYTES = 64_000_000


class PageCache:
    """Least recently used pages, at most `max_bytes` of them, each of which took at least
    `min_seconds` of processor time to build."""

    def __init__(self, *, min_seconds: float = DEFAULT_MIN_SECONDS,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.min_seconds = min_seconds
        self.max_bytes = max_bytes
        self._pages: OrderedDict[Hashable, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}

    def _cached(self, key: Hashable) -> bytes | None:
        with self._lock:
            body = self._pages.get(key)
            if body is not None:
                self._pages.move_to_end(key)
            return body

    def page(self, key: Hashable, build: Callable[[], bytes]) -> bytes:
        """The page for `key`: kept, or built now (and kept if that was slow)."""
        body = self._cached(key)
        if body is not None:
            return body
        with self._lock:
            gate = self._building.setdefault(key, threading.Lock())
        try:
            with gate:
                body = self._cached(key)  # built by another thread while this one waited
                if body is not None:
                    return body
                # The build's own processor time, not the time it waited for the others:
                # under load a quick page takes long, and keeping it would fill the cache
                # with whatever was asked for in a busy minute.
                started = time.thread_time()
                body = build()
                if time.thread_time() - started >= self.min_seconds:
                    self._keep(key, body)
                return body
        finally:
            with self._lock:
                if self._building.get(key) is gate:
                    del self._building[key]

    def _keep(self, key: Hashable, body: bytes) -> None:
        if len(body) > self.max_bytes:
            return
        with self._lock:
            if key in self._pages:
                return
            self._pages[key] = body
            self._bytes += len(body)
            while self._bytes > self.max_bytes:
                _old, dropped = self._pages.popitem(last=False)
                self._bytes -= len(dropped)

    def __len__(self) -> int:
        return len(self._pages)
