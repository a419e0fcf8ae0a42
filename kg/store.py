"""The embedded, persistent store: one Oxigraph database for the KG, one for quarantine.

Each document's triples live in one named graph whose name is the document's IRI.
Replacing a document is one SPARQL update (drop the graph, insert the new triples), and
Oxigraph applies an update in a single transaction: a build killed midway leaves every
document either as it was or as it is now, never half-written.

Quarantined output is kept in a second database beside the first, so that nothing that
failed validation can reach a query, an export or the server, and nothing is lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef

from kg.errors import StoreError
from kg.identity import digest, is_kg_graph
from kg.namespace import KG, PREFIXES
from kg.resources import ontology_path

DEFAULT_STORE = Path("kg-data")
# The graph that holds the ontology inside the store.
ONTOLOGY_GRAPH = URIRef("https://w3id.org/kg/ontology")

# Formats of dumps: name -> (pyoxigraph format, whether it keeps named graphs).
FORMATS: dict[str, tuple[ox.RdfFormat, bool]] = {
    "nq": (ox.RdfFormat.N_QUADS, True),
    "trig": (ox.RdfFormat.TRIG, True),
    "ttl": (ox.RdfFormat.TURTLE, False),
    "nt": (ox.RdfFormat.N_TRIPLES, False),
    "jsonld": (ox.RdfFormat.JSON_LD, True),
    "xml": (ox.RdfFormat.RDF_XML, False),
}

@dataclass(frozen=True)
class StoredDocument:
    content_hash: str
    extractors: str


def _ntriples(graph: Graph) -> str:
    # The RDF library serialises (and escapes) every term; nothing is assembled by hand.
    return graph.serialize(format="nt", encoding="utf-8").decode("utf-8")


def _ox_term(term: Any) -> Any:
    """An rdflib term as a pyoxigraph term (for query substitutions)."""
    from rdflib import BNode, Literal

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot bind {term!r}")


class KGStore:
    """The KG's persistent store in a folder: `store/` for the KG, `quarantine/` for what
    failed validation (with a readable report per document in `quarantine/reports/`)."""

    def __init__(self, path: Path | str = DEFAULT_STORE, *, read_only: bool = False) -> None:
        self.path = Path(path)
        try:
            if read_only:
                if not (self.path / "store").is_dir():
                    raise StoreError(
                        f"no kg store at {self.path}: build one with `kg build PATH --store "
                        f"{self.path}`"
                    )
                self.db = ox.Store.read_only(str(self.path / "store"))
            else:
                (self.path / "quarantine" / "reports").mkdir(parents=True, exist_ok=True)
                self.db = ox.Store(str(self.path / "store"))
        except OSError as exc:
            raise StoreError(
                f"cannot open the store at {self.path}: {exc} (is another kg process using it?)"
            ) from exc
        self.read_only = read_only
        self._quarantine: ox.Store | None = None
        if not read_only:
            self._load_ontology()

    def _load_ontology(self) -> None:
        """Keep the current ontology in its own named graph, so that queries can use its
        labels and notations (kinds and statuses as the facts format names them)."""
        ontology = Graph().parse(ontology_path(), format="turtle")
        self._replace(self.db, ONTOLOGY_GRAPH, ontology)

    @property
    def quarantine_db(self) -> ox.Store:
        if self._quarantine is None:
            qpath = self.path / "quarantine" / "store"
            if self.read_only:
                self._quarantine = (
                    ox.Store.read_only(str(qpath)) if qpath.is_dir() else ox.Store()
                )
            else:
                self._quarantine = ox.Store(str(qpath))
        return self._quarantine

    @property
    def reports_dir(self) -> Path:
        return self.path / "quarantine" / "reports"

    # -- writing ---------------------------------------------------------------------

    @staticmethod
    def _replace(db: ox.Store, graph_name: URIRef, graph: Graph) -> None:
        name = f"<{ox.NamedNode(str(graph_name)).value}>"
        db.update(
            f"DROP SILENT GRAPH {name} ;\nINSERT DATA {{ GRAPH {name} {{\n{_ntriples(graph)}}} }}"
        )

    def replace_document(self, graph_name: URIRef, graph: Graph) -> None:
        """Put a document's valid triples in its named graph, replacing what was there."""
        self._replace(self.db, graph_name, graph)

    def add_ntriples(self, graph_name: URIRef, ntriples: str, *, bulk: bool = False) -> None:
        """Add N-Triples to a named graph without replacing it: a list's new version goes
        beside the earlier ones. `bulk` loads several times faster but not in one
        transaction: the caller must write last what marks the data complete."""
        if not ntriples.strip():
            return
        load = self.db.bulk_load if bulk else self.db.load
        load(ntriples.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES,
             to_graph=ox.NamedNode(str(graph_name)))

    def remove_matching(self, graph_name: URIRef, subject: URIRef | None,
                        predicate: URIRef | None, obj: URIRef | None = None) -> int:
        """Remove a graph's triples that match the given IRIs (None: any); how many."""
        s, p, o = (ox.NamedNode(str(t)) if t is not None else None
                   for t in (subject, predicate, obj))
        quads = list(self.db.quads_for_pattern(s, p, o, ox.NamedNode(str(graph_name))))
        for quad in quads:
            self.db.remove(quad)
        return len(quads)

    def report_path(self, graph_name: URIRef, label: str) -> Path:
        """The text report of a document: its file name for the reader, a digest of its
        IRI so that two files of the same name do not overwrite each other's report."""
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in label)[:100]
        return self.reports_dir / f"{safe}.{digest(graph_name)[:10]}.txt"

    def replace_quarantine(
        self, graph_name: URIRef, graph: Graph, report: Graph, report_text: str, label: str
    ) -> Path:
        """Keep a document's failing triples and its SHACL report; return the text report."""
        self._replace(self.quarantine_db, graph_name, graph)
        self._replace(self.quarantine_db, URIRef(f"{graph_name}#shacl-report"), report)
        path = self.report_path(graph_name, label)
        path.write_text(report_text, encoding="utf-8")
        return path

    def clear_quarantine(self, graph_name: URIRef, label: str) -> None:
        """Forget a document's quarantined output (it now conforms), report included."""
        for name in (str(graph_name), f"{graph_name}#shacl-report"):
            self.quarantine_db.remove_graph(ox.NamedNode(name))
        self.report_path(graph_name, label).unlink(missing_ok=True)

    def flush(self) -> None:
        self.db.flush()
        if self._quarantine is not None:
            self._quarantine.flush()

    # -- reading ---------------------------------------------------------------------

    def stored_document(self, graph_name: URIRef) -> StoredDocument | None:
        """The content hash and extractor versions a document was stored with, if any."""
        rows = list(self.select(
            "SELECT ?g ?hash (GROUP_CONCAT(?ev; separator=' ') AS ?extractors) WHERE {"
            " GRAPH ?g { ?g kg:contentHash ?hash ."
            " OPTIONAL { ?x a kg:Extraction ; prov:used ?g ; prov:wasAssociatedWith ?a ."
            " ?a rdfs:label ?name ; kg:extractorVersion ?v . BIND(CONCAT(?name, '@', ?v) AS ?ev) }"
            " } } GROUP BY ?g ?hash",
            {"g": graph_name},
            union=False,
        ))
        if not rows or rows[0]["hash"] is None:
            return None
        extractors = rows[0]["extractors"]
        versions = " ".join(sorted((extractors.value if extractors is not None else "").split()))
        return StoredDocument(rows[0]["hash"].value, versions)

    def select(
        self,
        query: str,
        bindings: Mapping[str, Any] | None = None,
        *,
        union: bool = True,
        quarantine: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Run a SELECT; values are bound as typed terms (never spliced into the text).
        With `union`, the default graph is the union of all named graphs. Oxigraph
        substitutes only variables the query projects, so a bound variable must be
        among the selected ones."""
        try:
            results = _run(self.quarantine_db if quarantine else self.db, query, bindings,
                           union=union)
        except SyntaxError as exc:
            raise StoreError(f"SPARQL syntax error: {exc}") from exc
        if not isinstance(results, ox.QuerySolutions):
            raise StoreError("expected a SELECT query")
        names = [v.value for v in results.variables]
        for solution in results:
            yield {name: solution[name] for name in names}

    def query(self, query: str, bindings: Mapping[str, Any] | None = None) -> Any:
        """Run any query over the union of the named graphs; pyoxigraph's result object."""
        return _run(self.db, query, bindings, union=True)

    def quads(
        self, graph_name: ox.NamedNode | ox.DefaultGraph | None = None
    ) -> Iterator[ox.Quad]:
        """The KG's quads, of one graph or of all: the one path by which quads leave the
        store (document graphs for validation, dumps)."""
        return self.db.quads_for_pattern(None, None, None, graph_name)

    def graph_names(self) -> list[ox.NamedNode | ox.DefaultGraph]:
        """The default graph, then every named graph (the ontology's too), sorted."""
        named = sorted((g for g in self.db.named_graphs() if isinstance(g, ox.NamedNode)),
                       key=lambda g: g.value)
        return [ox.DefaultGraph(), *named]

    def document_graph(self, name: str) -> Graph:
        """One named graph of the store as an rdflib Graph."""
        data = ox.serialize((q.triple for q in self.quads(ox.NamedNode(name))),
                            format=ox.RdfFormat.N_TRIPLES)
        return Graph().parse(data=data, format="nt")

    def document_graphs(self) -> list[str]:
        """Names of the documents' graphs: every named graph but the ontology's and those kg
        derives from the documents (identity, names, reconciliation...)."""
        return sorted(g.value for g in self.db.named_graphs()
                      if isinstance(g, ox.NamedNode) and g.value != str(ONTOLOGY_GRAPH)
                      and not is_kg_graph(g.value))

    def quarantined_documents(self) -> list[str]:
        return sorted(
            g.value for g in self.quarantine_db.named_graphs()
            if isinstance(g, ox.NamedNode) and not g.value.endswith("#shacl-report")
        )

    def __len__(self) -> int:
        return len(self.db)

    def dump(self, output: Any, fmt: str) -> None:
        """Write the KG in one of FORMATS; triple formats get the union of all graphs.
        Graphs come in name order, so a dump of the same store is the same bytes."""
        rdf_format, keeps_graphs = FORMATS[fmt]
        prefixes = {k: str(v) for k, v in PREFIXES.items()}
        quads = (q for g in self.graph_names() for q in self.quads(g))
        if keeps_graphs:
            ox.serialize(quads, output, rdf_format,
                         prefixes=prefixes if fmt == "trig" else None)
            return
        triples = _distinct(q.triple for q in quads)
        if rdf_format == ox.RdfFormat.RDF_XML:
            data = ox.serialize(triples, None, rdf_format, prefixes=prefixes)
            output.write(xml_keep_carriage_returns(data))
            return
        ox.serialize(triples, output, rdf_format,
                     prefixes=prefixes if fmt == "ttl" else None)


def _run(db: ox.Store, query: str, bindings: Mapping[str, Any] | None, *, union: bool) -> Any:
    """A query with kg's prefixes, its values bound as typed terms (never spliced)."""
    return db.query(
        query,
        prefixes={k: str(v) for k, v in PREFIXES.items()},
        use_default_graph_as_union=union,
        substitutions={ox.Variable(k): _ox_term(v) for k, v in (bindings or {}).items()},
    )


def xml_keep_carriage_returns(data: bytes | None) -> bytes:
    """RDF/XML in which a carriage return (CR) in a literal survives parsing.

    Oxigraph's RDF/XML writer puts a literal's CR in the text as is, and an XML parser
    must read a CR, or a CR LF pair, as one LF (XML 1.0, section 2.11): a quote with CR LF
    line ends would come back changed. Written as a character reference, a CR is kept. The
    writer puts CRs nowhere else (it ends lines with LF, and an IRI cannot hold one), so
    every CR byte is a literal's. quick-xml, the XML library under Oxigraph, fixed the same
    loss in its serde serializer (tafia/quick-xml pull request 1001); drop this when
    pyoxigraph escapes CRs itself (tests/test_export.py exports a literal with CR LF)."""
    assert data is not None
    return data.replace(b"\r", b"&#13;")


def _distinct(triples: Iterable[ox.Triple]) -> Iterator[ox.Triple]:
    """Each triple once (a triple stated in several documents' graphs is one triple of the
    union)."""
    seen: set[ox.Triple] = set()
    for triple in triples:
        if triple not in seen:
            seen.add(triple)
            yield triple


__all__ = ["DEFAULT_STORE", "FORMATS", "KG", "KGStore", "StoredDocument",
           "xml_keep_carriage_returns"]
