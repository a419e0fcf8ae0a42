"""The reconciler's queries (queries/wikidata/*.rq) with their VALUES filled in.

A remote endpoint takes the query as text: the SPARQL protocol has no parameters. So
names reach it only as RDF terms that rdflib serialises (quotes, backslashes, newlines
and braces escaped), inside a VALUES block put where the file says `#VALUES`; no name
is ever formatted into the text by hand.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from rdflib import Literal, URIRef

from kg.errors import OntologyError
from kg.resources import queries_dir

Term = URIRef | Literal
MARKER = "#VALUES"


@functools.cache
def template(name: str) -> str:
    path = queries_dir() / "wikidata" / f"{name}.rq"
    text = path.read_text(encoding="utf-8")
    if text.count(MARKER) != 1:
        raise OntologyError(f"{path}: needs exactly one line {MARKER}")
    return text


def values_block(variables: Sequence[str], rows: Sequence[Sequence[Term]]) -> str:
    """VALUES (?a ?b) { (t1 t2) ... } with each term serialised by rdflib."""
    head = " ".join(f"?{v}" for v in variables)
    body = "\n    ".join("(" + " ".join(term.n3() for term in row) + ")" for row in rows)
    return f"VALUES ({head}) {{\n    {body}\n  }}"


def render(name: str, variables: Sequence[str], rows: Sequence[Sequence[Term]]) -> str:
    return template(name).replace(MARKER, values_block(variables, rows))
