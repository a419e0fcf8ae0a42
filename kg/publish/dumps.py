"""Dumps of the whole KG in every format of `kg export`, at /dumps/kg.EXT.

A dump is written once, on first request, into the server's cache folder, then sent as a
file: the store is read-only while the server runs, so a dump never goes stale, and a
second client does not make the server serialise a million triples again. Only the names
in DUMPS are served; any other name, and any name with a path in it, is refused before
the file system is touched.
"""

from __future__ import annotations

import gzip
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from kg.publish.compression import LEVEL
from kg.store import FORMATS, KGStore

GZIP_SUFFIX = ".gz"


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
    """The dumps' files in `folder`, each written once; beside each, its gzip copy for
    clients that accept gzip, also written once (compressing 100 MB of N-Triples takes
    seconds of a core, too much to spend again on every download)."""

    def __init__(self, store: KGStore, folder: Path) -> None:
        self.store = store
        self.folder = folder
        self._locks = {(name, compressed): threading.Lock()
                       for name in DUMPS for compressed in (False, True)}

    def file(self, name: str, *, compressed: bool = False) -> Path:
        """The dump's file (gzip-compressed, with `compressed`), written now if it is not
        yet. `name` must be a key of DUMPS."""
        path = self.folder / (name + GZIP_SUFFIX if compressed else name)
        with self._locks[name, compressed]:
            if not path.is_file():
                source = self.file(name) if compressed else None
                self.folder.mkdir(parents=True, exist_ok=True)
                partial = path.with_name(path.name + ".partial")
                with partial.open("wb") as handle:
                    if source is None:
                        self.store.dump(handle, DUMPS[name].fmt)
                    else:
                        _gzip_file(source, handle)
                partial.replace(path)
        return path


def _gzip_file(source: Path, output: BinaryIO) -> None:
    with source.open("rb") as data, gzip.GzipFile(fileobj=output, mode="wb",
                                                  compresslevel=LEVEL, mtime=0) as packed:
        shutil.copyfileobj(data, packed, 1 << 20)
