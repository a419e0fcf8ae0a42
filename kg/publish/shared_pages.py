"""Kept pages shared by the server processes of `kg serve --processes N`, in a folder.

Each process keeps pages in memory (kg.publish.page_cache), and the kernel hands each
connection to any of them, so a page one process had built was built again by the next
one a visitor reached: at 50 clients revisiting pages, two processes answered with p95
of 209 ms where one answered in 50. A page kept is also written here, one file per page
(its body and gzip variant, written whole and renamed into place, so a reader never sees
half of one), and a process that does not hold a page looks here before building it.
The parent makes the folder and removes it when the server stops.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Hashable
from pathlib import Path

from kg.publish.page_cache import Page

# What one process writes at most: past it, pages are kept in its memory only.
DEFAULT_MAX_BYTES = 1_000_000_000
_LENGTH = 8  # bytes of the header that gives the body's length


class SharedPages:
    def __init__(self, folder: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self._written = 0
        self._lock = threading.Lock()
        folder.mkdir(parents=True, exist_ok=True)

    def _path(self, key: Hashable) -> Path:
        return self.folder / hashlib.sha256(repr(key).encode("utf-8")).hexdigest()

    def get(self, key: Hashable) -> Page | None:
        try:
            data = self._path(key).read_bytes()
        except FileNotFoundError:
            return None
        size = int.from_bytes(data[:_LENGTH], "big")
        body = data[_LENGTH:_LENGTH + size]
        return Page(body, data[_LENGTH + size:] or None)

    def put(self, key: Hashable, page: Page) -> None:
        with self._lock:
            if self._written + page.size > self.max_bytes:
                return
            self._written += page.size
        path = self._path(key)
        partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        partial.write_bytes(len(page.body).to_bytes(_LENGTH, "big") + page.body
                            + (page.gzipped or b""))
        os.replace(partial, path)
