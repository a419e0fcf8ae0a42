"""gzip for the server's text answers, when the client asks for it.

An actor page of a much-reported actor is some 400 KB of HTML (every claim with its
quote and sources), and RDF documents and SPARQL results are text that shrinks five to
ten times: worth a few milliseconds of processor time per answer when the client says
`Accept-Encoding: gzip`, as every browser and HTTP library does. Answers are compressed
whole (they are built in memory); the dumps, which are files, are compressed once into
the dump folder instead (kg.publish.dumps), and this module only decides and labels.

Rules, from RFC 9110 section 8.4 and 12.5.3:
- gzip only when the client accepts it with a q-value above 0 (`gzip;q=0` refuses it; no
  header at all is taken as "identity", as servers commonly do);
- `Vary: Accept-Encoding` on both variants of an answer that may be compressed, so that a
  shared cache keeps them apart; none on answers never compressed (tiny or binary ones);
- the compressed variant is another representation, so an ETag the answer carries gets a
  `-gzip` suffix: a cache must not take one variant's validator for the other's.
"""

from __future__ import annotations

import gzip

from kg.publish.conneg import HTML, SVG, parse_accept, rdf_offers, result_offers
from kg.publish.http import Body, Response

# Smaller bodies are sent as they are: the gzip header and a round of inflating cost more
# than the few bytes saved, and most fit in one packet anyway.
MIN_BYTES = 1024
# zlib's default: on a 400 KB page nearly the size of level 9 at a fraction of the time.
LEVEL = 6
GZIP = "gzip"
_ALIASES = (GZIP, "x-gzip")
# The non-text/* media types the server sends that are text (JSON, XML, N-Triples...).
_TEXT_TYPES = frozenset(rep.media_type for rep in [HTML, SVG, *rdf_offers(), *result_offers()]
                        ) | {"application/json"}


def accepts_gzip(header: str | None) -> bool:
    """Whether an Accept-Encoding header takes gzip: named (or as x-gzip) with q > 0, or
    through `*` when gzip is not named."""
    if not header or not header.strip():
        return False
    quality = dict(parse_accept(header))
    named = [quality[c] for c in _ALIASES if c in quality]
    if named:
        return max(named) > 0
    return quality.get("*", 0.0) > 0


def is_text(media_type: str | None) -> bool:
    """Whether an answer of this Content-Type is worth compressing: text, not an image or
    an archive that is compressed already."""
    if not media_type:
        return False
    bare = media_type.split(";", 1)[0].strip().lower()
    return bare.startswith("text/") or bare in _TEXT_TYPES or bare.endswith(
        ("+json", "+xml", "/n-quads", "/trig"))


def compressible(response: Response) -> bool:
    """Whether the answer has a variant in gzip: a text body of at least MIN_BYTES that
    is not encoded already, and either held in memory or with a compressed copy at hand
    (`gzip_variant`); `length` stands for a body that is streamed (a dump)."""
    body = response.body
    size = len(body) if isinstance(body, bytes) else response.length
    return (size is not None and size >= MIN_BYTES and is_text(response.content_type)
            and (isinstance(body, bytes) or response.gzip_variant is not None)
            and not any(name.lower() == "content-encoding" for name, _ in response.headers))


def compress(body: bytes) -> bytes:
    """The gzip variant of a body: the same bytes each time (no timestamp inside), so
    that a variant compressed once and kept equals one compressed per request."""
    return gzip.compress(body, compresslevel=LEVEL, mtime=0)


def label(response: Response, *, compressed: bool) -> None:
    """Set the headers of one variant of a compressible answer: Vary for both, and for
    the gzip variant Content-Encoding and its own ETag."""
    headers = []
    vary_done = False
    for name, value in response.headers:
        key = name.lower()
        if key == "vary" and not vary_done:
            value, vary_done = f"{value}, Accept-Encoding", True
        elif key == "etag" and compressed:
            value = _etag_variant(value)
        headers.append((name, value))
    if not vary_done:
        headers.append(("Vary", "Accept-Encoding"))
    if compressed:
        headers.append(("Content-Encoding", GZIP))
    response.headers = headers


def _etag_variant(etag: str) -> str:
    """`"abc"` -> `"abc-gzip"`, `W/"abc"` -> `W/"abc-gzip"`."""
    prefix = "W/" if etag.startswith("W/") else ""
    quoted = etag[len(prefix):]
    inner = quoted[1:-1] if len(quoted) >= 2 and quoted[0] == quoted[-1] == '"' else quoted
    return f'{prefix}"{inner}-{GZIP}"'


def negotiate_encoding(response: Response, accept_encoding: str | None) -> Response:
    """The answer as the client should get it: gzip when it accepts gzip and the answer
    is compressible, else as it is; labelled either way. The one place that decides, so
    that every kind of answer (pages, RDF, results, dumps) is labelled alike."""
    if not compressible(response):
        return response
    compressed = accepts_gzip(accept_encoding)
    if compressed:
        response.body, response.length = _gzip_variant(response)
    label(response, compressed=compressed)
    return response


def _gzip_variant(response: Response) -> tuple[Body, int]:
    """The compressed copy the handler holds, else the in-memory body compressed now."""
    if response.gzip_variant is not None:
        return response.gzip_variant()
    assert isinstance(response.body, bytes)  # compressible() holds no other kind
    packed = compress(response.body)
    return packed, len(packed)
