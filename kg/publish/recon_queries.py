"""The reconciliation service's SPARQL, read from `kg/publish/queries/recon-*.rq`.

The queries sit beside this module rather than in the top-level `queries/` folder: they
are the service's internals, not named queries a user runs with `kg query`, and inside
the package the wheel ships them without a force-include. Values reach them only as
bound typed terms (pyoxigraph substitutions through `KGStore.select`).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import OntologyError

if TYPE_CHECKING:
    from rdflib import Literal, URIRef

    from kg.store import KGStore

QUERIES = Path(__file__).resolve().parent / "queries"


@functools.cache
def query_text(name: str) -> str:
    """The text of `recon-NAME.rq`; an OntologyError names the file when it is missing."""
    path = QUERIES / f"recon-{name}.rq"
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise OntologyError(f"{path}: cannot read the reconciliation query: {exc}") from exc


def select(store: KGStore, name: str, **bindings: URIRef | Literal) -> list[dict[str, Any]]:
    """Rows of `recon-NAME.rq` over the union of the store's graphs, with `bindings`
    bound to the query's variables of the same names."""
    return list(store.select(query_text(name), bindings))
