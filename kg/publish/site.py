"""Where each IRI is served: the map between the KG's IRIs and this server's paths.

Entity IRIs are minted under a base (`kg build --base-uri`, by default
https://w3id.org/kg/id/). The server answers for them at the base's path, wherever it
runs: `https://w3id.org/kg/id/person/x` is served at `/kg/id/person/x`, so a redirect
from the base's host (w3id.org keeps the path) lands on the right page, and a server run
on a laptop serves the same IRIs. The ontology and the shapes are served at their own
IRIs' paths the same way.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

from kg.namespace import KG

ONTOLOGY_IRI = str(KG._NS).rstrip("#")
SHAPES_IRI = "https://w3id.org/kg/shapes"


def _path_of(iri: str) -> str:
    return urllib.parse.urlsplit(iri).path or "/"


@dataclass(frozen=True)
class Site:
    base_uri: str

    def __post_init__(self) -> None:
        if not self.base_uri.endswith(("/", "#")):
            raise ValueError(f"the base URI {self.base_uri!r} must end with / "
                             "(entity IRIs are base + type/name)")

    @property
    def entity_prefix(self) -> str:
        """The path under which entities are served."""
        return _path_of(self.base_uri)

    @property
    def ontology_path(self) -> str:
        return _path_of(ONTOLOGY_IRI)

    @property
    def shapes_path(self) -> str:
        return _path_of(SHAPES_IRI)

    def iri_of(self, path: str) -> str | None:
        """The entity IRI a request path stands for, if it is under the entity prefix."""
        prefix = self.entity_prefix
        if path.startswith(prefix) and len(path) > len(prefix):
            return self.base_uri + path[len(prefix):]
        return None

    def href(self, iri: str) -> str:
        """Where a page links for an IRI: this server for the KG's own IRIs and terms, the
        IRI itself for anything else (Wikidata, a news site)."""
        if iri.startswith(self.base_uri):
            return self.entity_prefix + iri[len(self.base_uri):]
        for served in (ONTOLOGY_IRI, SHAPES_IRI):
            if iri == served or iri.startswith(served + "#"):
                return _path_of(served) + iri[len(served):]
        return iri

    def is_local(self, iri: str) -> bool:
        return iri.startswith(self.base_uri)
