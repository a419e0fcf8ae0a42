"""Dumps of the whole KG in every format of `kg export`, at /dumps/kg.EXT.

A dump is written once, on first request, into the server's cache folder, then sent as a
file: the store is read-only while the server runs, so a dump never goes stale, and a
second client does not make the server serialise a million triples again. Only the names
in DUMPS are served; any other name, and any name with a path in it, is refused before
the file system is touched.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from kg.store import FORMATS, KGStore


@dataclass(frozen=True)
class Dump:
    fmt: str  # a key of kg.store.FORMATS
    media_type: str
    title: str


DUMPS: dict[str, Dump] = {
    f"kg.{fmt}": Dump(fmt, rdf_format.media_type, rdf_format.name)
    for fmt, (rdf_format, _keeps_graphs) in sorted(FORMATS.items())
}


class DumpCache:
    def __init__(self, store: KGStore, folder: Path) -> None:
        self.store = store
        self.folder = folder
        self._locks = {name: threading.Lock() for name in DUMPS}

    def file(self, name: str) -> Path:
        """The dump's file, written now if it is not yet. `name` must be a key of DUMPS."""
        dump = DUMPS[name]
        path = self.folder / name
        with self._locks[name]:
            if not path.is_file():
                self.folder.mkdir(parents=True, exist_ok=True)
                partial = path.with_name(name + ".partial")
                with partial.open("wb") as handle:
                    self.store.dump(handle, dump.fmt)
                partial.replace(path)
        return path
