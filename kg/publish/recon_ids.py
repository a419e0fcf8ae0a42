"""How the reconciliation service names kg's entities and types to its clients.

An entity's id is its IRI without the service's identifierSpace (`armed-group/taliban`
for `https://w3id.org/kg/id/armed-group/taliban`), as Wikidata's service answers `Q42`
for `http://www.wikidata.org/entity/Q42`: short in a spreadsheet cell, and the manifest's
`view` template turns it back into the IRI. A type's id is its local name in the kg
ontology (`ArmedGroup`). Clients may send full IRIs too; both are accepted.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.namespace import KG

ONTOLOGY = str(KG._NS)


def valid_iri(text: str) -> bool:
    """Whether `text` is an absolute IRI a query may be bound to."""
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return ":" in text


@dataclass(frozen=True)
class Ids:
    """Conversions between the service's ids and IRIs, for one identifierSpace."""

    base: str

    def entity_id(self, iri: str) -> str:
        return iri[len(self.base):] if iri.startswith(self.base) else iri

    def entity_iri(self, entity_id: str) -> str | None:
        """The IRI an id names, or None when no IRI can be made of it."""
        entity_id = entity_id.strip()
        if not entity_id:
            return None
        iri = entity_id if entity_id.startswith(self.base) else self.base + entity_id
        return iri if valid_iri(iri) else None

    @staticmethod
    def type_id(iri: str) -> str:
        return iri[len(ONTOLOGY):] if iri.startswith(ONTOLOGY) else iri

    @staticmethod
    def type_iri(type_id: str) -> str:
        """The class IRI of a type id (`ArmedGroup`, `kg:ArmedGroup` or the full IRI);
        an id that names no kg class is returned as it is and matches nothing."""
        type_id = type_id.strip()
        if type_id.startswith("kg:"):
            type_id = type_id[3:]
        return type_id if type_id.startswith(ONTOLOGY) else ONTOLOGY + type_id
