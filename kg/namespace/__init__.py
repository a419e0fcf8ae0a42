"""Every namespace kg uses, declared once.

The kg ontology's own terms come from the generated, closed `KG` namespace; the reused
W3C and community vocabularies come from rdflib where it ships them.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD

from kg.namespace._KG import KG

SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
SCHEMA = Namespace("http://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
SH = Namespace("http://www.w3.org/ns/shacl#")

# Where entity IRIs (actors, claims, documents) are minted unless a build says otherwise.
DEFAULT_BASE = "https://w3id.org/kg/id/"

PREFIXES: dict[str, Namespace] = {
    "kg": Namespace(str(KG._NS)),
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "owl": Namespace(str(OWL)),
    "xsd": Namespace(str(XSD)),
    "skos": Namespace(str(SKOS)),
    "prov": Namespace(str(PROV)),
    "org": Namespace(str(ORG)),
    "dcterms": Namespace(str(DCTERMS)),
    "sem": SEM,
    "schema": SCHEMA,
    "oa": OA,
    "wd": WD,
    "wdt": WDT,
}

__all__ = [
    "DCTERMS", "DEFAULT_BASE", "KG", "OA", "ORG", "OWL", "PREFIXES", "PROV", "RDF", "RDFS",
    "SCHEMA", "SEM", "SH", "SKOS", "WD", "WDT", "XSD",
]
