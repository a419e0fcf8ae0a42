"""gzip from `kg serve`: what a client that accepts it gets, what one that does not gets,
and what is never compressed, through a real HTTP client against the real server. The
compressed body is read as it came over the wire and inflated by the test, then compared
with the body a client refusing gzip gets."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
from requests import Response

from kg.publish.compression import MIN_BYTES, accepts_gzip, label
from kg.publish.http import Response as KGResponse
from kg.publish.page_cache import PageCache
from tests.conftest import RunningServer
from tests.test_recon_api_schemas import assert_valid

KH_PATH = "/kg/id/armed-group/kataib-hizballah"
SELECT = ("SELECT ?s ?p ?o WHERE { ?s a kg:ArmedGroup ; ?p ?o } ORDER BY ?s ?p ?o")

# (path, extra headers): an HTML page, RDF documents, SPARQL results, text dumps, the
# home page and a browser's 404 page.
COMPRESSED: list[Any] = [
    pytest.param(f"{KH_PATH}.html", {}, id="actor-page"),
    pytest.param(f"{KH_PATH}.ttl", {}, id="turtle-document"),
    pytest.param(f"{KH_PATH}.jsonld", {}, id="json-ld-document"),
    pytest.param(f"{KH_PATH}.nt", {}, id="n-triples-document"),
    pytest.param("/sparql?query=" + SELECT, {"Accept": "application/sparql-results+json"},
                 id="sparql-json"),
    pytest.param("/sparql?query=" + SELECT, {"Accept": "text/csv"}, id="sparql-csv"),
    pytest.param("/dumps/kg.nt", {}, id="dump-nt"),
    pytest.param("/dumps/kg.trig", {}, id="dump-trig"),
    pytest.param("/dumps/kg.xml", {}, id="dump-rdf-xml"),
    pytest.param("/", {}, id="home"),
    pytest.param("/kg/id/no/such-thing.html", {}, id="not-found-page"),
]


def _get(server: RunningServer, http: Any, path: str, headers: dict[str, str],
         encoding: str | None, method: str = "GET", form: dict[str, str] | None = None
         ) -> tuple[Response, bytes]:
    """The answer and its body as sent (not inflated by requests). `encoding` None sends
    no Accept-Encoding at all; `form` is sent as a form body."""
    sent = {**headers, "Accept-Encoding": encoding}
    response = http.request(method, server.url + path, headers=sent, data=form,
                            stream=True, allow_redirects=False, timeout=120)
    body = response.raw.read(decode_content=False)
    response.close()
    return response, body


def _vary(response: Response) -> set[str]:
    return {v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()}


@pytest.mark.parametrize(("path", "headers"), COMPRESSED)
def test_text_answers_are_gzipped_for_clients_that_accept_it(
        kg_server: RunningServer, http: Any, path: str, headers: dict[str, str]) -> None:
    plain, plain_body = _get(kg_server, http, path, headers, "identity")
    packed, packed_body = _get(kg_server, http, path, headers, "gzip, deflate, br")
    assert plain.status_code == packed.status_code
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert len(plain_body) >= MIN_BYTES
    assert gzip.decompress(packed_body) == plain_body
    assert len(packed_body) < len(plain_body)
    assert int(packed.headers["Content-Length"]) == len(packed_body)
    assert int(plain.headers["Content-Length"]) == len(plain_body)
    assert plain.headers["Content-Type"] == packed.headers["Content-Type"]
    # Both variants say they vary by encoding, and keep what they varied by before.
    assert "Accept-Encoding" in _vary(plain) and _vary(plain) == _vary(packed)
    again, again_body = _get(kg_server, http, path, headers, "gzip")
    assert again_body == packed_body  # the same bytes each time: no timestamp inside
    head, head_body = _get(kg_server, http, path, headers, "gzip", method="HEAD")
    assert head_body == b"" and head.headers["Content-Length"] == packed.headers[
        "Content-Length"] and head.headers["Content-Encoding"] == "gzip"


@pytest.mark.parametrize("encoding", [None, "", "identity", "gzip;q=0", "gzip;q=0, *",
                                      "br", "deflate", "*;q=0"])
def test_no_gzip_for_clients_that_do_not_accept_it(
        kg_server: RunningServer, http: Any, encoding: str | None) -> None:
    for path in (f"{KH_PATH}.html", "/dumps/kg.ttl"):
        response, body = _get(kg_server, http, path, {}, encoding)
        assert response.status_code == 200
        assert "Content-Encoding" not in response.headers
        assert "Accept-Encoding" in _vary(response)
        assert int(response.headers["Content-Length"]) == len(body)
        assert not body.startswith(b"\x1f\x8b")


@pytest.mark.parametrize("encoding", ["gzip", "x-gzip", "GZIP;q=0.5", "*", "br;q=1, gzip;q=0.1"])
def test_every_way_of_accepting_gzip(kg_server: RunningServer, http: Any,
                                     encoding: str) -> None:
    response, body = _get(kg_server, http, f"{KH_PATH}.ttl", {}, encoding)
    assert response.headers["Content-Encoding"] == "gzip" and gzip.decompress(body)


def test_tiny_answers_are_sent_as_they_are(kg_server: RunningServer, http: Any) -> None:
    """A 303 and a plain-text error are a few dozen bytes: nothing to gain."""
    see_other, body = _get(kg_server, http, KH_PATH, {"Accept": "text/turtle"}, "gzip")
    assert see_other.status_code == 303 and len(body) < MIN_BYTES
    missing, body = _get(kg_server, http, "/kg/id/no/such", {"Accept": "text/turtle"}, "gzip")
    assert missing.status_code == 404 and len(body) < MIN_BYTES
    for response in (see_other, missing):
        assert "Content-Encoding" not in response.headers
        assert "Accept-Encoding" not in _vary(response)


def test_a_dump_is_compressed_once(kg_server: RunningServer, http: Any) -> None:
    _get(kg_server, http, "/dumps/kg.nq", {}, "gzip")
    packed = kg_server.app.dumps.file("kg.nq", compressed=True)
    written = packed.stat().st_mtime_ns
    _response, body = _get(kg_server, http, "/dumps/kg.nq", {}, "gzip")
    assert packed.stat().st_mtime_ns == written and body == packed.read_bytes()
    assert gzip.decompress(body) == kg_server.app.dumps.file("kg.nq").read_bytes()


def test_a_kept_page_is_compressed_once(kg_server: RunningServer, http: Any,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The most visited pages are the kept ones: their gzip variant is kept beside them,
    not made again on every hit, and is the variant any other answer would have."""
    compressed: list[bytes] = []
    real_compress = gzip.compress

    def counting(data: bytes, *args: Any, **kwargs: Any) -> bytes:
        compressed.append(data)
        return real_compress(data, *args, **kwargs)

    monkeypatch.setattr(gzip, "compress", counting)
    monkeypatch.setattr(kg_server.app, "page_cache", PageCache(min_seconds=0.0))
    path = f"{KH_PATH}.html"
    hits = [_get(kg_server, http, path, {}, "gzip") for _ in range(2)]
    plain, plain_body = _get(kg_server, http, path, {}, "identity")
    assert compressed == [plain_body]
    for packed, packed_body in hits:
        assert gzip.decompress(packed_body) == plain_body
        assert packed.headers["Content-Encoding"] == "gzip"
        assert int(packed.headers["Content-Length"]) == len(packed_body)
        assert _vary(packed) == _vary(plain) == {"Accept-Encoding"}
    assert "Content-Encoding" not in plain.headers


def test_reconciliation_answers_are_gzipped(kg_server: RunningServer, http: Any) -> None:
    """OpenRefine sends batches of tens of names: the answer is JSON like the others'."""
    names = ["Kata'ib Hizballah", "Popular Mobilization Forces", "Asa'ib Ahl al-Haq",
             "Islamic Revolutionary Guard Corps", "Iran"]
    batch = json.dumps({f"q{n}": {"query": name} for n, name in enumerate(names * 10)})
    answers = [_get(kg_server, http, "/reconcile", {}, encoding, "POST", {"queries": batch})
               for encoding in ("identity", "gzip")]
    (plain, plain_body), (packed, packed_body) = answers
    assert plain.status_code == packed.status_code == 200 and len(plain_body) >= MIN_BYTES
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert int(packed.headers["Content-Length"]) == len(packed_body) < len(plain_body)
    assert _vary(plain) == _vary(packed) == {"Accept-Encoding"}
    results = json.loads(gzip.decompress(packed_body))
    assert results == json.loads(plain_body) and set(results) == set(json.loads(batch))
    assert_valid("reconciliation-result-batch", results)


def test_the_gzip_variant_has_an_etag_of_its_own() -> None:
    """No answer of the server carries an ETag today; one that does must not share it
    between its variants (RFC 9110 section 8.8.3)."""
    for etag, variant in (('"abc"', '"abc-gzip"'), ('W/"abc"', 'W/"abc-gzip"')):
        response = KGResponse(200, b"x" * MIN_BYTES, "text/html",
                              [("ETag", etag), ("Vary", "Accept")])
        label(response, compressed=True)
        assert dict(response.headers) == {"ETag": variant, "Vary": "Accept, Accept-Encoding",
                                          "Content-Encoding": "gzip"}
        label(plain := KGResponse(200, b"", "text/html", [("ETag", etag)]), compressed=False)
        assert dict(plain.headers) == {"ETag": etag, "Vary": "Accept-Encoding"}


def test_accept_encoding_is_read_as_rfc_9110_says() -> None:
    assert accepts_gzip("gzip") and accepts_gzip("deflate, gzip;q=0.2") and accepts_gzip("*")
    assert not accepts_gzip(None) and not accepts_gzip("gzip;q=0")
    assert not accepts_gzip("*, gzip;q=0") and not accepts_gzip("identity")
