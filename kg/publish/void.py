"""The KG's self-description at /.well-known/void (the place RFC 5785 and the VoID note
give it): a VoID dataset that is also a DCAT dataset, so that both linked-data crawlers
and data catalogues find the endpoint, the dumps, the vocabularies and the figures.

The figures are counted once, on first request: the server opens the store read-only,
so they cannot change while it runs. The example resources are the home page's first
actors (kg.publish.top_actors), at their canonical IRIs: an actor is ranked as one over
all its merged IRIs, and the IRI a crawler is pointed at is the one whose documents
describe the actor, not one that answers with a redirect.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, VOID, XSD

from kg.namespace import PREFIXES, PROV, SKOS
from kg.publish.assets import query_text
from kg.publish.dumps import DUMPS
from kg.publish.site import ONTOLOGY_IRI, SHAPES_IRI, Site
from kg.publish.top_actors import TopActors
from kg.store import KGStore

# Specifications the services conform to (dcterms:conformsTo).
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
# How many of the most reported actors VoID gives as void:exampleResource: a few, for a
# crawler or a person to start from, as the VoID note suggests.
EXAMPLES = 3


@dataclass(frozen=True)
class Statistics:
    triples: int
    subjects: int
    objects: int
    properties: int
    classes: list[tuple[str, int]]
    property_triples: list[tuple[str, int]]
    examples: list[str]
    """Canonical IRIs, most reported first."""


class VoidDescription:
    def __init__(self, store: KGStore, site: Site, top: TopActors) -> None:
        self.store = store
        self.site = site
        self.top = top
        self._statistics: Statistics | None = None
        self._lock = threading.Lock()

    def statistics(self) -> Statistics:
        with self._lock:
            if self._statistics is None:
                self._statistics = self._count()
            return self._statistics

    def _count(self) -> Statistics:
        totals = next(self.store.select(query_text("void-statistics")))
        classes = [(r["class"].value, int(r["entities"].value))
                   for r in self.store.select(query_text("void-classes"))]
        properties = [(r["property"].value, int(r["triples"].value))
                      for r in self.store.select(query_text("void-properties"))]
        examples = [actor.iri for actor in self.top.get()[:EXAMPLES]]
        return Statistics(
            int(totals["triples"].value), int(totals["subjects"].value),
            int(totals["objects"].value), int(totals["properties"].value), classes,
            properties, examples)

    def graph(self, root: str) -> Graph:
        """The description, with the server's URLs under `root` (where the client reached
        it), and the entity IRIs under the KG's base."""
        stats = self.statistics()
        g = Graph()
        for prefix, namespace in PREFIXES.items():
            g.bind(prefix, namespace)
        g.bind("void", VOID)
        g.bind("dcat", DCAT)
        g.bind("foaf", FOAF)
        here = URIRef(f"{root}/.well-known/void")
        dataset = URIRef(f"{root}/.well-known/void#kg")
        endpoint = URIRef(f"{root}/sparql")
        g.add((here, RDF.type, VOID.DatasetDescription))
        g.add((here, FOAF.primaryTopic, dataset))
        g.add((here, DCTERMS.title, Literal("Description of the kg dataset", lang="en")))
        g.add((dataset, RDF.type, VOID.Dataset))
        g.add((dataset, RDF.type, DCAT.Dataset))
        g.add((dataset, DCTERMS.title, Literal("kg: a knowledge graph of armed actors",
                                               lang="en")))
        g.add((dataset, DCTERMS.description, Literal(
            "Armed actors (militias, leaders, states, government bodies), their "
            "affiliations, designations and events, read from news reports and official "
            "designation lists, each claim with its source, quote and speaker.", lang="en")))
        g.add((dataset, VOID.sparqlEndpoint, endpoint))
        g.add((dataset, VOID.uriSpace, Literal(self.site.base_uri)))
        for vocabulary in (ONTOLOGY_IRI, str(PROV), str(SKOS), str(DCTERMS)):
            g.add((dataset, VOID.vocabulary, URIRef(vocabulary)))
        g.add((dataset, DCTERMS.conformsTo, URIRef(ONTOLOGY_IRI)))
        g.add((dataset, DCTERMS.conformsTo, URIRef(SHAPES_IRI)))
        for prop, value in ((VOID.triples, stats.triples),
                            (VOID.distinctSubjects, stats.subjects),
                            (VOID.distinctObjects, stats.objects),
                            (VOID.properties, stats.properties),
                            (VOID.classes, len(stats.classes))):
            g.add((dataset, prop, Literal(value, datatype=XSD.integer)))
        for example in stats.examples:
            g.add((dataset, VOID.exampleResource, URIRef(example)))
        for cls, count in stats.classes:
            part = BNode()
            g.add((dataset, VOID.classPartition, part))
            g.add((part, VOID["class"], URIRef(cls)))
            g.add((part, VOID.entities, Literal(count, datatype=XSD.integer)))
        for prop_iri, count in stats.property_triples:
            part = BNode()
            g.add((dataset, VOID.propertyPartition, part))
            g.add((part, VOID.property, URIRef(prop_iri)))
            g.add((part, VOID.triples, Literal(count, datatype=XSD.integer)))
        service = URIRef(f"{root}/sparql#service")
        g.add((dataset, DCAT.accessService, service))
        g.add((service, RDF.type, DCAT.DataService))
        g.add((service, DCAT.endpointURL, endpoint))
        g.add((service, DCTERMS.conformsTo, SPARQL_PROTOCOL))
        g.add((service, DCAT.servesDataset, dataset))
        for name, dump in DUMPS.items():
            url = URIRef(f"{root}/dumps/{name}")
            g.add((dataset, VOID.dataDump, url))
            distribution = URIRef(f"{root}/dumps/{name}#distribution")
            g.add((dataset, DCAT.distribution, distribution))
            g.add((distribution, RDF.type, DCAT.Distribution))
            g.add((distribution, DCAT.downloadURL, url))
            g.add((distribution, DCAT.mediaType, Literal(dump.media_type)))
            g.add((distribution, DCTERMS.title, Literal(f"kg as {dump.title}", lang="en")))
        return g
