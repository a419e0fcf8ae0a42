"""kg's exceptions: each message says what is wrong and where, so a user can fix it."""

from __future__ import annotations

from pathlib import Path


class KGError(Exception):
    """Base of every error kg raises on purpose."""


class InputError(KGError):
    """An input file cannot be read as a document; names the file and what is wrong."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class OntologyError(KGError):
    """The ontology, shapes or a query file shipped with kg cannot be loaded."""


class ExtractionError(KGError):
    """An extractor failed on a document for a reason other than bad input."""


class StoreError(KGError):
    """The store cannot be opened, read or written."""


class QueryError(KGError):
    """A named query is unknown, or its parameters are missing or mistyped."""
