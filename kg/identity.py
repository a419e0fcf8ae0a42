"""Deterministic IRIs: the same input always mints the same IRI, so a rebuild changes none.

Actors are named by type and the normalised form of their canonical name, so that
"Asaib Ahl Al-Haq" and "Asaib Ahl al-Haq" are one node; claims and evidence by a hash of
their natural key, so the same claim read twice is one node.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

from rdflib import URIRef

from kg.namespace import DEFAULT_BASE, KG

# Path segment of each actor type, as it appears in actor IRIs.
ACTOR_TYPE_SEGMENTS: dict[URIRef, str] = {
    KG.Person: "person",
    KG.ArmedGroup: "armed-group",
    KG.Organization: "organization",
    KG.GovernmentBody: "government-body",
    KG.State: "state",
}

# The actor types that are groups of people: a list, a gazetteer and Wikidata may type
# one group differently among them, so matching treats them as one family.
GROUP_TYPES = frozenset({KG.ArmedGroup, KG.Organization, KG.GovernmentBody})

# The event classes, in the order the facts view and the summary list them.
EVENT_TYPES: tuple[URIRef, ...] = (
    KG.Attack, KG.MilitaryOperation, KG.Visit, KG.Election, KG.Legislation, KG.Rally,
)

_APOSTROPHES = "'’‘ʿʾ`´"


@functools.lru_cache(maxsize=1 << 16)
def normalize_name(name: str) -> str:
    """Fold a name to the key under which its spelling variants meet.

    Case, accents, apostrophes (Kata'ib / Kataib / Kata’ib), hyphens and runs of spaces
    are folded; words are kept apart, so "Qais al-Khazali" and "Laith al-Khazali" differ.
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower()
    text = "".join("" if c in _APOSTROPHES else c for c in text)
    text = re.sub(r"[^0-9a-z]+", " ", text)
    return " ".join(text.split())


def slug(name: str) -> str:
    """URL path segment for a name: its normalised form with hyphens."""
    return normalize_name(name).replace(" ", "-") or "unnamed"


def digest(*parts: object) -> str:
    """Short stable hash of a natural key (parts joined unambiguously)."""
    joined = "\x1f".join(str(p) for p in parts)
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:20]


def actor_iri(actor_type: URIRef, name: str, base: str = DEFAULT_BASE) -> URIRef:
    return URIRef(f"{base}{ACTOR_TYPE_SEGMENTS[actor_type]}/{slug(name)}")


def node_iri(kind: str, *key: object, base: str = DEFAULT_BASE) -> URIRef:
    """IRI of a claim (`affiliation`, `designation`, `event`) or a supporting node
    (`evidence`, `extraction`, `extractor`, `place`, `participation`) from its natural
    key: the same claim read twice is one node."""
    return URIRef(f"{base}{kind}/{digest(kind, *key)}")


# The graphs kg derives from the documents' graphs: they state no source's claim, so
# they are neither validated as a document nor counted as one.
KG_GRAPHS = ("enrichment", "identity", "names", "reconciliation", "reviews")


def kg_graph(base: str, name: str) -> URIRef:
    assert name in KG_GRAPHS, name
    return URIRef(f"{base}graph/{name}")


def is_kg_graph(iri: str) -> bool:
    """Whether `iri` names one of kg's own graphs, under whichever base the store uses."""
    head, _, name = iri.rpartition("/")
    return name in KG_GRAPHS and head.endswith("graph")


def document_iri(url: str | None, content_hash: str, base: str = DEFAULT_BASE) -> URIRef:
    """A document is named by its URL when it has one, else by its content."""
    return URIRef(f"{base}document/{digest('url', url) if url else content_hash[:20]}")
