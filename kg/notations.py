"""The short codes (skos:notation) of the ontology's kinds and statuses, read from the
ontology file: the facts view writes them, the lexicons name kinds by them."""

from __future__ import annotations

import functools

from rdflib import Graph, URIRef

from kg.namespace import SKOS
from kg.resources import ontology_path


@functools.cache
def notations() -> dict[URIRef, str]:
    """Each coded term of the ontology and its notation ("member", "revoked", ...)."""
    ontology = Graph().parse(ontology_path(), format="turtle")
    return {s: str(o) for s, o in ontology.subject_objects(SKOS.notation)
            if isinstance(s, URIRef)}


@functools.cache
def term(notation: str) -> URIRef:
    """The term coded `notation`; a KeyError names a lexicon code the ontology lacks."""
    for iri, code in notations().items():
        if code == notation:
            return iri
    raise KeyError(f"the ontology has no term with notation {notation!r}")
