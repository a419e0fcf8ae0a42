"""The ontology and the shapes at their own IRIs: HTML documentation for people, the
Turtle file as shipped, and the other RDF formats, by Accept or by extension.

Both are hash vocabularies (`kg:ArmedGroup` is `https://w3id.org/kg/ontology#ArmedGroup`),
so the document is served at the vocabulary's IRI itself with 200, and each term is an
anchor of the HTML page.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.namespace import SH
from kg.resources import ontology_path, shapes_path


@dataclass(frozen=True)
class Term:
    anchor: str
    iri: str
    label: str
    comment: str
    parents: list[str]
    domain: list[str]
    range: list[str]


@dataclass(frozen=True)
class Section:
    title: str
    terms: list[Term]


def _text(graph: Graph, node: URIRef, prop: URIRef) -> str:
    value = graph.value(node, prop)
    return str(value) if value is not None else ""


def _curie(graph: Graph, node: object) -> str:
    try:
        return graph.namespace_manager.curie(str(node), generate=False)
    except (ValueError, KeyError):
        return str(node)


@functools.cache
def _parsed(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


def sections(kind: str) -> list[Section]:
    """The terms of the ontology ("ontology") or the shapes ("shapes"), grouped."""
    graph = _parsed(ontology_path() if kind == "ontology" else shapes_path())
    groups = ({"Classes": OWL.Class, "Object properties": OWL.ObjectProperty,
               "Datatype properties": OWL.DatatypeProperty,
               "Annotation properties": OWL.AnnotationProperty,
               "Concept schemes": SKOS.ConceptScheme}
              if kind == "ontology" else
              {"Node shapes": SH.NodeShape, "Property shapes": SH.PropertyShape})
    result = []
    for title, cls in groups.items():
        terms = []
        for node in sorted({s for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef)}):
            terms.append(Term(
                anchor=str(node).rpartition("#")[2], iri=str(node),
                label=_text(graph, node, RDFS.label), comment=_text(graph, node, RDFS.comment),
                parents=[_curie(graph, o) for o in graph.objects(node, RDFS.subClassOf)],
                domain=[_curie(graph, o) for o in graph.objects(node, RDFS.domain)],
                range=[_curie(graph, o) for o in graph.objects(node, RDFS.range)],
            ))
        result.append(Section(title, terms))
    return result


def source_path(kind: str) -> Path:
    return ontology_path() if kind == "ontology" else shapes_path()


@functools.cache
def triples(kind: str) -> list[ox.Triple]:
    """The vocabulary's triples, for the formats other than its Turtle file."""
    with source_path(kind).open("rb") as handle:
        return [q.triple for q in ox.parse(handle, ox.RdfFormat.TURTLE)]
