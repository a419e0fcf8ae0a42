"""Which kg actor type a Wikidata class stands for: the ontology's kg:wikidataClass
alignments, which are the single source of truth for kg's own classes, plus the classes
of lexicon/wikidata-classes.tsv. The gazetteer generator types Wikidata items with it;
the reconciler checks a candidate's type with it."""

from __future__ import annotations

import functools

from rdflib import Graph, URIRef

from kg.identity import ACTOR_TYPE_SEGMENTS
from kg.namespace import KG, WD
from kg.resources import lexicon_entries, ontology_path


@functools.cache
def class_types() -> dict[URIRef, URIRef]:
    """Wikidata class -> kg actor type."""
    table = {WD[qid]: KG[kind] for qid, kind, _label in lexicon_entries("wikidata-classes.tsv")}
    ontology = Graph().parse(ontology_path(), format="turtle")
    for kind in ACTOR_TYPE_SEGMENTS:
        for wd_class in ontology.objects(kind, KG.wikidataClass):
            if isinstance(wd_class, URIRef):
                table[wd_class] = kind
    return table
