"""Pages kept in memory and sent again as they are.

The most mentioned actors have the largest pages (hundreds of claims, each with its
sources: 0.2 to 0.5 s to build on a million triples) and are the most visited, so under
load their visitors queued behind one another: p95 of 3 s at 10 clients. The store is
read-only while served, so a page built once stays right for the day it was built for
(its designations "in force" depend on the day). A cache may keep only the pages that
were slow to build, so that its memory goes where it saves the most time; one thread
builds a page while the others asking for it wait for that page rather than build it too.

A kept page is kept with its gzip variant, compressed when it is kept rather than on the
first hit that asks for it: every browser and HTTP library takes gzip, so nearly every
hit wants that variant, and compressing a 400 KB page (some 10 ms) once, on the thread
that just spent 50 to 500 ms building it, keeps it off every later visitor's request.
Kept pages then never change, so a hit takes no more locking than before, and the byte
budget counts both variants from the moment a page is kept.

The server keeps every page, and the entities' RDF documents in a cache of their own,
however fast they were made (kg.publish.server says why). Server processes that answer
on one port share what they keep through a folder (kg.publish.shared_pages).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kg.publish.compression import MIN_BYTES, compress

if TYPE_CHECKING:
    from kg.publish.shared_pages import SharedPages

# For a cache that keeps only the pages slow to build, so that its memory goes where it
# saves the most time; the server keeps every page (kg.publish.server says why).
DEFAULT_MIN_SECONDS = 0.002
# When the budget is spent, pages built in less processor time go first (least recently
# used first), then the others: a crawl through thousands of ordinary pages (a
# millisecond each on a million triples) cannot push out the few most reported actors'
# (0.1 to 0.4 s each to build again). A page another process built is quick: its file is
# there to read again.
SLOW_SECONDS = 0.01
DEFAULT_MAX_BYTES = 64_000_000


@dataclass(frozen=True)
class Page:
    """A page as built, with its gzip variant if the page is kept and large enough to be
    sent compressed (kg.publish.compression.MIN_BYTES); a page without one is compressed
    per request, as any other answer."""

    body: bytes
    gzipped: bytes | None = None

    @property
    def gzip_variant(self) -> Callable[[], tuple[bytes, int]] | None:
        """The variant as kg.publish.http.Response takes it."""
        gzipped = self.gzipped
        return None if gzipped is None else lambda: (gzipped, len(gzipped))

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped or b"")


class PageCache:
    """Pages that took at least `min_seconds` of processor time to build, at most
    `max_bytes` of them; when that is spent, the least recently used of the quick ones
    go first (SLOW_SECONDS), then of the slow ones."""

    def __init__(self, *, min_seconds: float = DEFAULT_MIN_SECONDS,
                 max_bytes: int = DEFAULT_MAX_BYTES, shared: SharedPages | None = None
                 ) -> None:
        self.min_seconds = min_seconds
        self.max_bytes = max_bytes
        self.shared = shared
        self._quick: OrderedDict[Hashable, Page] = OrderedDict()
        self._slow: OrderedDict[Hashable, Page] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}

    def _cached(self, key: Hashable) -> Page | None:
        with self._lock:
            for pages in (self._quick, self._slow):
                page = pages.get(key)
                if page is not None:
                    pages.move_to_end(key)
                    return page
            return None

    def page(self, key: Hashable, build: Callable[[], bytes]) -> Page:
        """The page for `key`: kept, or built now (and kept if that was slow)."""
        page = self._cached(key)
        if page is not None:
            return page
        with self._lock:
            gate = self._building.setdefault(key, threading.Lock())
        try:
            with gate:
                page = self._cached(key)  # built by another thread while this one waited
                if page is not None:
                    return page
                page = self.shared.get(key) if self.shared is not None else None
                if page is not None:  # built by another process
                    return self._remember(key, page)
                # The build's own processor time, not the time it waited for the others:
                # under load a quick page takes long, and keeping it would fill the cache
                # with whatever was asked for in a busy minute.
                started = time.thread_time()
                body = build()
                took = time.thread_time() - started
                if took < self.min_seconds:
                    return Page(body)
                return self._keep(key, body, slow=took >= SLOW_SECONDS)
        finally:
            with self._lock:
                if self._building.get(key) is gate:
                    del self._building[key]

    def _keep(self, key: Hashable, body: bytes, *, slow: bool) -> Page:
        if len(body) > self.max_bytes:
            return Page(body)
        page = Page(body, compress(body) if len(body) >= MIN_BYTES else None)
        if self.shared is not None:
            self.shared.put(key, page)
        return self._remember(key, page, slow=slow)

    def _remember(self, key: Hashable, page: Page, *, slow: bool = False) -> Page:
        if page.size > self.max_bytes:
            return page
        with self._lock:
            if key in self._quick or key in self._slow:
                return page
            (self._slow if slow else self._quick)[key] = page
            self._bytes += page.size
            while self._bytes > self.max_bytes:
                _old, dropped = (self._quick or self._slow).popitem(last=False)
                self._bytes -= dropped.size
        return page

    def __len__(self) -> int:
        return len(self._quick) + len(self._slow)
