"""Which IRIs are items of the knowledge base the reconciler asks.

Wikidata's items live under http://www.wikidata.org/entity/ as Q-numbers; an answer row
whose IRI is elsewhere (a property, a lexeme, a statement node) is not a candidate. Another
Wikibase (one's own mirror with local items, or a test base of synthetic items) keeps its
items under another prefix: `$KG_WIKIBASE_ENTITY_PREFIX` names it. Its classes and
properties are still read as Wikidata's (P31, P279, wd:Q5...).
"""

from __future__ import annotations

import os
import re

from rdflib import URIRef

from kg.namespace import WD

PREFIX_VARIABLE = "KG_WIKIBASE_ENTITY_PREFIX"
QID = re.compile(r"^Q[1-9][0-9]*$")


def item_prefix() -> str:
    return os.environ.get(PREFIX_VARIABLE) or str(WD)


def is_item(iri: str) -> bool:
    prefix = item_prefix()
    return iri.startswith(prefix) and QID.match(iri[len(prefix):]) is not None


def item(qid: str) -> URIRef:
    return URIRef(item_prefix() + qid)


def parse_item(text: str) -> URIRef | None:
    """An item from a QID or an item IRI, as a person writes it in a review file."""
    text = text.strip()
    prefix = item_prefix()
    if text.startswith(prefix):
        text = text[len(prefix):]
    return item(text) if QID.match(text) else None
