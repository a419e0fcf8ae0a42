"""The Python vocabulary is generated from the ontology and must not drift from it."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

from kg.namespace import KG, OWL, RDF, RDFS
from kg.resources import ontology_path
from kg.vocab_gen import KG_IRI, TARGET, render


def test_generated_vocabulary_matches_ontology() -> None:
    ontology = Graph().parse(ontology_path(), format="turtle")
    assert TARGET.read_text(encoding="utf-8") == render(ontology), (
        "kg/namespace/_KG.py is stale: run `make vocab` (python -m kg.vocab_gen)"
    )


def test_closed_namespace_rejects_unknown_terms() -> None:
    assert str(KG.ArmedGroup) == KG_IRI + "ArmedGroup"
    with pytest.raises(AttributeError):
        KG.ArmedGrup  # noqa: B018  (a misspelt term must not silently mint a new IRI)


def test_every_term_has_label_and_comment() -> None:
    ontology = Graph().parse(ontology_path(), format="turtle")
    terms = {s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(KG_IRI)}
    assert len(terms) > 60
    missing = sorted(str(t) for t in terms if ontology.value(t, RDFS.label) is None
                     or ontology.value(t, RDFS.comment) is None)
    assert not missing, f"terms without rdfs:label or rdfs:comment: {missing}"


def test_ontology_is_versioned_owl() -> None:
    ontology = Graph().parse(ontology_path(), format="turtle")
    onto = next(ontology.subjects(RDF.type, OWL.Ontology))
    version = ontology.value(onto, OWL.versionIRI)
    assert version is not None and str(version).startswith(str(onto))
