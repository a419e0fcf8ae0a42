"""Dereferencing: every kind of entity IRI answers 303 to a document chosen by Accept, each
document parses with an independent parser; the ontology, shapes, VoID and the dumps; the
mount mechanism; bad paths."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, VOID

from kg.publish.conneg import HTML, negotiate, rdf_offers
from kg.publish.site import Site
from kg.store import KGStore
from tests.conftest import RunningServer, rapper_parse

BASE = "https://w3id.org/kg/id/"
PREFIX = "/kg/id/"
KH = BASE + "armed-group/kataib-hizballah"

# (extension, Accept, rapper syntax or "json-ld")
FORMATS = [("ttl", "text/turtle", "turtle"), ("nt", "application/n-triples", "ntriples"),
           ("rdf", "application/rdf+xml", "rdfxml"), ("jsonld", "application/ld+json", "json-ld")]


def _one_of_each_kind(store_path: Path) -> dict[str, str]:
    """An IRI of each kind the issue names: actor, affiliation, designation, event, document."""
    store = KGStore(store_path, read_only=True)
    found: dict[str, str] = {}
    for kind, query in {
        "actor": f"SELECT ?x WHERE {{ BIND(<{KH}> AS ?x) ?x a ?t }} LIMIT 1",
        "affiliation": "SELECT ?x WHERE { ?x a kg:Affiliation } ORDER BY ?x LIMIT 1",
        "designation": "SELECT ?x WHERE { ?x a kg:Designation } ORDER BY ?x LIMIT 1",
        "event": "SELECT ?x WHERE { ?x a kg:Attack } ORDER BY ?x LIMIT 1",
        "document": "SELECT ?x WHERE { ?x a kg:Document } ORDER BY ?x LIMIT 1",
    }.items():
        rows = list(store.select(query))
        assert rows, kind
        found[kind] = rows[0]["x"].value
    return found


@pytest.fixture(scope="module")
def entities(examples_store: Path) -> dict[str, str]:
    return _one_of_each_kind(examples_store)


def _path(iri: str) -> str:
    assert iri.startswith(BASE)
    return PREFIX + iri[len(BASE):]


@pytest.mark.parametrize("kind", ["actor", "affiliation", "designation", "event", "document"])
def test_entity_iri_redirects_303_by_accept_and_documents_parse(
        kg_server: RunningServer, http: Any, entities: dict[str, str], kind: str,
        tmp_path: Path) -> None:
    iri = entities[kind]
    path = _path(iri)
    browser = http.get(kg_server.url + path, allow_redirects=False, timeout=30,
                       headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.status_code == 303
    assert browser.headers["Location"] == path + ".html"
    assert "Accept" in browser.headers["Vary"]
    page = http.get(kg_server.url + browser.headers["Location"], timeout=30)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert iri in page.text
    for extension, accept, syntax in FORMATS:
        redirect = http.get(kg_server.url + path, headers={"Accept": accept},
                            allow_redirects=False, timeout=30)
        assert redirect.status_code == 303
        assert redirect.headers["Location"] == f"{path}.{extension}"
        document = http.get(kg_server.url + redirect.headers["Location"], timeout=30)
        assert document.status_code == 200
        assert document.headers["Content-Type"].split(";")[0] == accept
        if syntax == "json-ld":
            graph = Graph().parse(data=document.content, format="json-ld")
            count = len(graph)
        else:
            count = rapper_parse(document.content, syntax, tmp_path)
            graph = Graph().parse(data=document.content,
                                  format={"turtle": "turtle", "ntriples": "nt",
                                          "rdfxml": "xml"}[syntax])
        assert count == len(graph) > 0
        assert (URIRef(iri), RDF.type, None) in graph, f"{kind} {extension}"


def test_actor_document_holds_its_claims_and_labels(kg_server: RunningServer, http: Any
                                                     ) -> None:
    graph = Graph().parse(data=http.get(kg_server.url + _path(KH) + ".ttl", timeout=30).text,
                          format="turtle")
    assert (URIRef(KH), URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
            Literal("Kata'ib Hizballah", lang="en")) in graph
    pointing = {str(s) for s, _, _ in graph.triples((None, None, URIRef(KH)))}
    assert any("/affiliation/" in s for s in pointing)
    assert any("/designation/" in s for s in pointing)


def test_unknown_entity_is_404_and_unknown_path_too(kg_server: RunningServer, http: Any
                                                    ) -> None:
    for path in (PREFIX + "armed-group/no-such-group", PREFIX + "armed-group/no-such-group.ttl",
                 "/nowhere"):
        response = http.get(kg_server.url + path, allow_redirects=False, timeout=30)
        assert response.status_code == 404, path
    assert "no-such-group" in http.get(kg_server.url + PREFIX + "armed-group/no-such-group",
                                       timeout=30).text


@pytest.mark.parametrize(("accept", "media_type"), [
    (None, "text/plain"), ("*/*", "text/plain"), ("text/turtle", "text/plain"),
    ("application/sparql-results+json, application/json", "application/json"),
    ("text/html,application/xhtml+xml,*/*;q=0.8", "text/html"),
    ("application/xhtml+xml", "text/html")])
def test_a_404_is_a_page_for_browsers_only(kg_server: RunningServer, http: Any,
                                           accept: str | None, media_type: str) -> None:
    headers = {"Accept": accept} if accept else {}
    for path in (PREFIX + "armed-group/no-such-group", "/nowhere"):
        response = http.get(kg_server.url + path, headers=headers, allow_redirects=False,
                            timeout=30)
        assert response.status_code == 404
        assert response.headers["Content-Type"].split(";")[0] == media_type, (accept, path)
        if media_type == "text/html":
            assert '<a href="/">home page</a>' in response.text and "<h1>" in response.text


def test_an_unknown_entity_s_page_is_an_html_404(kg_server: RunningServer, http: Any
                                                 ) -> None:
    response = http.get(kg_server.url + PREFIX + "armed-group/no-such-group.html",
                        headers={"Accept": "*/*"}, timeout=30)
    assert response.status_code == 404 and "<h1>Not found</h1>" in response.text


def test_pages_answer_get_only(kg_server: RunningServer, http: Any) -> None:
    response = http.post(kg_server.url + _path(KH) + ".html", data=b"x", timeout=30)
    assert response.status_code == 405


@pytest.mark.parametrize("kind", ["ontology", "shapes"])
def test_vocabularies_at_their_iris(kg_server: RunningServer, http: Any, kind: str,
                                    tmp_path: Path) -> None:
    url = f"{kg_server.url}/kg/{kind}"
    page = http.get(url, headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    anchor = 'id="ArmedGroup"' if kind == "ontology" else 'id="ActorShape"'
    assert anchor in page.text
    turtle = http.get(url, headers={"Accept": "text/turtle"}, timeout=30)
    assert turtle.headers["Content-Type"].startswith("text/turtle")
    count = rapper_parse(turtle.content, "turtle", tmp_path)
    assert count > 100
    for extension, _accept, syntax in FORMATS:
        document = http.get(f"{url}.{extension}", timeout=30)
        assert document.status_code == 200
        if syntax == "json-ld":
            assert len(Graph().parse(data=document.content, format="json-ld")) == count
        else:
            assert rapper_parse(document.content, syntax, tmp_path) == count


def test_void_description_with_figures(kg_server: RunningServer, http: Any, tmp_path: Path,
                                       examples_store: Path) -> None:
    response = http.get(f"{kg_server.url}/.well-known/void", timeout=60)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")
    rapper_parse(response.content, "turtle", tmp_path)
    graph = Graph().parse(data=response.content, format="turtle")
    dataset = next(graph.subjects(RDF.type, VOID.Dataset))
    assert graph.value(dataset, VOID.sparqlEndpoint) == URIRef(f"{kg_server.url}/sparql")
    assert graph.value(dataset, VOID.uriSpace) == Literal(BASE)
    # The triple count is the number of distinct triples of the union of all graphs.
    store = KGStore(examples_store, read_only=True)
    distinct = {q.triple for q in store.quads()}
    assert graph.value(dataset, VOID.triples) == Literal(len(distinct))
    dumps = {str(u) for u in graph.objects(dataset, VOID.dataDump)}
    assert f"{kg_server.url}/dumps/kg.nq" in dumps and len(dumps) == 6
    partitions = {graph.value(p, VOID["class"]): graph.value(p, VOID.entities)
                  for p in graph.objects(dataset, VOID.classPartition)}
    assert int(partitions[URIRef("https://w3id.org/kg/ontology#ArmedGroup")]) >= 5


@pytest.mark.parametrize(("name", "syntax"), [
    ("kg.nq", "nquads"), ("kg.trig", "trig"), ("kg.ttl", "turtle"), ("kg.nt", "ntriples"),
    ("kg.xml", "rdfxml"), ("kg.jsonld", "json-ld"),
])
def test_dumps_in_every_format(kg_server: RunningServer, http: Any, name: str, syntax: str,
                               tmp_path: Path, examples_store: Path) -> None:
    # As sent, not gzipped (tests/test_serve_compression.py has the compressed dumps).
    response = http.get(f"{kg_server.url}/dumps/{name}", headers={"Accept-Encoding": "identity"},
                        timeout=120)
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(response.content)
    store = KGStore(examples_store, read_only=True)
    keeps_graphs = name in ("kg.nq", "kg.trig", "kg.jsonld")
    expected = len(store) if keeps_graphs else len({q.triple for q in store.quads()})
    if syntax == "json-ld":
        from rdflib import Dataset

        dataset = Dataset().parse(data=response.content, format="json-ld")
        assert len(list(dataset.quads((None, None, None, None)))) == expected
    else:
        assert rapper_parse(response.content, syntax, tmp_path) == expected


def _raw_get(port: int, target: bytes) -> bytes:
    """A request line sent as is: HTTP libraries would normalise the dots away."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.0\r\nHost: x\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


@pytest.mark.parametrize("target", [
    b"/dumps/../store/CURRENT", b"/dumps/..%2Fstore%2FCURRENT", b"/dumps/%2e%2e/pyproject.toml",
    b"/dumps/kg.nq/../../etc/passwd", b"/dumps/..%5C..%5Cetc",
])
def test_path_traversal_in_dump_names_is_refused(kg_server: RunningServer,
                                                 target: bytes) -> None:
    answer = _raw_get(kg_server.port, target)
    status = answer.split(b"\r\n", 1)[0]
    assert b" 400 " in status or b" 404 " in status, answer[:300]
    assert b"root:" not in answer and b"[project]" not in answer


def test_unknown_dump_is_404_and_the_listing_links_every_dump(kg_server: RunningServer,
                                                              http: Any) -> None:
    assert http.get(f"{kg_server.url}/dumps/kg.zip", timeout=30).status_code == 404
    listing = http.get(f"{kg_server.url}/dumps/", timeout=30).text
    for name in ("kg.nq", "kg.trig", "kg.ttl", "kg.nt", "kg.xml", "kg.jsonld"):
        assert f'href="/dumps/{name}"' in listing


def test_mounted_app_sees_its_prefix_stripped(kg_server: RunningServer, http: Any) -> None:
    answer = http.get(f"{kg_server.url}/hello/some/path", timeout=30)
    assert answer.status_code == 200 and answer.text == "/hello|/some/path"
    assert http.get(f"{kg_server.url}/hello", timeout=30).text == "/hello|"
    assert http.get(f"{kg_server.url}/hellothere", timeout=30).status_code == 404


def test_site_maps_paths_to_iris_of_another_base() -> None:
    site = Site("http://data.example.org/conflict/id/")
    assert site.entity_prefix == "/conflict/id/"
    assert site.iri_of("/conflict/id/person/x") == "http://data.example.org/conflict/id/person/x"
    assert site.iri_of("/sparql") is None
    assert site.href("http://data.example.org/conflict/id/person/x") == "/conflict/id/person/x"
    assert site.href("https://w3id.org/kg/ontology#Person") == "/kg/ontology#Person"
    assert site.href("http://www.wikidata.org/entity/Q1") == "http://www.wikidata.org/entity/Q1"
    with pytest.raises(ValueError, match="must end with /"):
        Site("http://data.example.org/id")


@pytest.mark.parametrize(("accept", "expected"), [
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
    ("text/turtle;q=0.9, application/ld+json", "jsonld"),
    ("application/json", "jsonld"),
    ("*/*", "html"),
    ("", "html"),
    ("application/rdf+xml;q=0.5, text/*;q=0.4", "rdf"),
    ("text/*", "html"),
])
def test_negotiation(accept: str, expected: str) -> None:
    chosen = negotiate(accept, [HTML, *rdf_offers()])
    assert chosen is not None and chosen.extension == expected
    assert negotiate("image/png", [HTML, *rdf_offers()]) is None
