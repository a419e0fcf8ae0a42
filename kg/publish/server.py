"""The `kg serve` web application: one WSGI app over a read-only store.

URL layout (paths of the default base https://w3id.org/kg/id/):

    /                          home page (contents, most mentioned actors)
    /sparql                    SPARQL 1.1 Protocol, query only
    /kg/id/TYPE/NAME           an entity IRI: 303 to one of the documents below
    /kg/id/TYPE/NAME.html      its page; .ttl .jsonld .nt .rdf its RDF document
    /kg/ontology, /kg/shapes   the vocabularies (HTML or RDF by Accept; .ttl etc.)
    /.well-known/void          VoID and DCAT description with figures
    /dumps/, /dumps/kg.EXT     whole-KG dumps
    /MOUNT/...                 apps mounted by the caller (the Reconciliation API)
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.publish import sparql_protocol
from kg.publish.compression import negotiate_encoding
from kg.publish.conneg import HTML, RDF, names_html, negotiate, rdf_offers
from kg.publish.dumps import DUMPS, DumpCache
from kg.publish.entities import (
    document_triples,
    exists,
    rdf_document,
    see_other,
    serialize_triples,
    split_document_path,
)
from kg.publish.http import (
    HTTPError,
    Request,
    Response,
    StartResponse,
    WSGIApp,
    error_response,
    redirect,
)
from kg.publish.merges import MergeCache, Merges
from kg.publish.page_cache import Page, PageCache
from kg.publish.page_parts import NoSuchPageError, asked_pages
from kg.publish.pages import PageBuilder
from kg.publish.query_workers import QueryWorkers
from kg.publish.shared_pages import SharedPages
from kg.publish.site import ONTOLOGY_IRI, SHAPES_IRI, Site
from kg.publish.top_actors import TopActors
from kg.publish.vocabulary import sections, source_path, triples
from kg.publish.void import VoidDescription
from kg.queries import find_query, run_query
from kg.store import KGStore

log = logging.getLogger(__name__)


# Two worker processes: a query runs while another waits for a core, on the two-core
# machines the server is sized for; each holds the store open, so more cost memory.
DEFAULT_QUERY_WORKERS = 2
# The most reported actors whose pages and RDF documents are made when the server starts.
PAGES_WARMED = 20
# Their documents in the four formats, with gzip variants, take 24 MB on a million triples.
DOCUMENT_CACHE_BYTES = 64_000_000


@dataclass(frozen=True)
class ServerLimits:
    """What one request may cost. The defaults suit an analyst's endpoint on a laptop."""

    query_seconds: float = 30.0
    result_bytes: int = 50_000_000
    body_bytes: int = 1_000_000
    query_workers: int = DEFAULT_QUERY_WORKERS


class KGApp:
    """The application; `make_app` builds it. Holds what every request shares: the store,
    the site map, the query workers and the caches."""

    def __init__(self, store: KGStore, site: Site, *, mounts: Mapping[str, WSGIApp],
                 limits: ServerLimits, dump_folder: Path | None,
                 today: Callable[[], dt.date], shared_folder: Path | None = None) -> None:
        self.store = store
        self.site = site
        self.limits = limits
        self.today = today
        self.mounts = sorted(((p.rstrip("/"), app) for p, app in mounts.items()),
                             key=lambda m: -len(m[0]))
        for prefix, _app in self.mounts:
            if not prefix.startswith("/") or prefix == "":
                raise ValueError(f"a mount path must start with / and not be /: {prefix!r}")
        self.pages = PageBuilder(store, site)
        self.merges = MergeCache(store, site.base_uri)
        def shared(kind: str) -> SharedPages | None:
            return SharedPages(shared_folder / kind) if shared_folder is not None else None

        # Every page and every entity's RDF document is kept, however fast it was to
        # make: most are a few kilobytes. At 50 clients, making each anew (a CONSTRUCT,
        # 1 ms of processor time) put documents' p95 above 100 ms; an ordinary actor's
        # page builds in about 1 ms, and built (and compressed) anew on every visit it
        # was sent at 1,934 pages/s, p95 51 ms, against 7,568/s and 15 ms kept. The cost:
        # each page made is also written to the shared folder; and the cache must drop
        # the quick pages first (page_cache.SLOW_SECONDS), or a crawl would push out the
        # slow ones.
        self.page_cache = PageCache(min_seconds=0.0, shared=shared("pages"))
        self.document_cache = PageCache(min_seconds=0.0, max_bytes=DOCUMENT_CACHE_BYTES,
                                        shared=shared("documents"))
        self.top_actors = TopActors(store, self.merges)
        self.void = VoidDescription(store, site, self.top_actors)
        self._own_dump_folder = None
        if dump_folder is None:
            self._own_dump_folder = tempfile.TemporaryDirectory(prefix="kg-dumps-")
            dump_folder = Path(self._own_dump_folder.name)
        self.dumps = DumpCache(store, dump_folder)
        self.workers = QueryWorkers(store.path, workers=limits.query_workers,
                                    time_limit=limits.query_seconds,
                                    max_bytes=limits.result_bytes)
        self._home: tuple[list[tuple[str, Any]], list[dict[str, Any]]] | None = None
        self._home_lock = threading.Lock()

    def close(self) -> None:
        self.workers.close()
        if self._own_dump_folder is not None:
            self._own_dump_folder.cleanup()

    # -- WSGI ------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse
                 ) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", "") or "/")
        for prefix, app in self.mounts:
            if path == prefix or path.startswith(prefix + "/"):
                inner = dict(environ)
                inner["SCRIPT_NAME"] = str(environ.get("SCRIPT_NAME", "")) + prefix
                inner["PATH_INFO"] = path[len(prefix):]
                return app(inner, start_response)
        request = Request(environ, max_body=self.limits.body_bytes)
        try:
            response = self.route(request)
        except HTTPError as error:
            response = self.error(error, request)
        except Exception:
            log.exception("error answering %s %s", request.method, request.path)
            response = error_response(HTTPError(500, "internal error; the server's log has "
                                                     "the details"), request.accept)
        return negotiate_encoding(response, request.accept_encoding)(environ, start_response)

    def route(self, request: Request) -> Response:
        path = request.path
        if request.method == "OPTIONS":
            return Response(204)
        if path == "/sparql":
            if sparql_protocol.wants_form(request):
                return self.query_form(request)
            return sparql_protocol.handle(request, self.workers)
        if request.method not in ("GET", "HEAD"):
            raise HTTPError(405, f"{path} answers GET and HEAD only",
                            headers=[("Allow", "GET, HEAD, OPTIONS")])
        if path == "/":
            return self.home(request)
        if path == "/.well-known/void":
            return self.void_description(request)
        if path == "/dumps" or path.startswith("/dumps/"):
            return self.dump(path[len("/dumps/"):] if path != "/dumps" else "")
        stem, extension = split_document_path(path)
        for kind, vocabulary_path in (("ontology", self.site.ontology_path),
                                      ("shapes", self.site.shapes_path)):
            if stem == vocabulary_path:
                return self.vocabulary(request, kind, stem, extension)
        iri = self.site.iri_of(stem)
        if iri is not None:
            return self.entity(request, iri, stem, extension)
        raise HTTPError(404, f"nothing is served at {path}; see / for what is")

    def error(self, error: HTTPError, request: Request) -> Response:
        """A 404 for a browser is a page like the others, with a way home; programs get
        the plain message (and JSON ones JSON), which they can print or parse."""
        if error.status == 404 and (names_html(request.accept)
                                    or request.path.endswith(".html")):
            body = self.pages.render("not-found.html", title="Not found",
                                     message=error.message, path=request.path)
            return Response(404, body, HTML.content_type, error.headers)
        return error_response(error, request.accept)

    # -- handlers --------------------------------------------------------------------

    def entity(self, request: Request, iri: str, stem: str, extension: str | None
               ) -> Response:
        merges = self.merges.get()
        canonical = merges.canonical.get(iri)
        if canonical is not None:
            # A merged IRI: its actor is described at the canonical IRI's documents.
            target = self.site.href(canonical)
            if extension is None:
                return see_other(target, request.accept)
            return redirect(f"{target}.{extension}", vary=False)
        iris = merges.cluster(iri)
        if not exists(self.store, iris):
            raise HTTPError(404, f"the KG has no entity {iri}")
        if extension is None:
            return see_other(stem, request.accept)
        if extension == "html":
            try:
                asked = asked_pages(request.args())
            except ValueError as error:
                raise HTTPError(400, str(error)) from None
            try:
                page = self._page(iri, merges, asked)
            except NoSuchPageError as error:
                raise HTTPError(404, str(error)) from None
            return Response(200, page.body, HTML.content_type,
                            gzip_variant=page.gzip_variant)
        document = self._document(iris, extension)
        return Response(200, document.body, RDF[extension][0].content_type,
                        gzip_variant=document.gzip_variant)

    def _page(self, iri: str, merges: Merges, asked: dict[str, int]) -> Page:
        today = self.today()
        return self.page_cache.page(
            (iri, today, tuple(sorted(asked.items()))),
            lambda: self.pages.entity_page(iri, today=today, merges=merges, asked=asked))

    def _document(self, iris: list[str], extension: str,
                  read: Callable[[], list[ox.Triple]] | None = None) -> Page:
        """The RDF document of the entity named by `iris` (merges.cluster); `read` gives
        its triples when they are read once for every format."""
        read = read or functools.partial(document_triples, self.store, iris)
        return self.document_cache.page((iris[0], extension),
                                        lambda: rdf_document(read(), extension))

    def vocabulary(self, request: Request, kind: str, path: str, extension: str | None
                   ) -> Response:
        if extension is None:
            chosen = negotiate(request.accept, [HTML, *rdf_offers()])
            if chosen is None:
                raise HTTPError(406, "the vocabulary is served as HTML, Turtle, JSON-LD, "
                                     "N-Triples or RDF/XML")
            extension = chosen.extension
            vary = [("Vary", "Accept")]
        else:
            vary = []
        if extension == "html":
            iri = ONTOLOGY_IRI if kind == "ontology" else SHAPES_IRI
            title = "kg ontology" if kind == "ontology" else "kg SHACL shapes"
            body = self.pages.render("vocabulary.html", title=title, iri=iri, path=path,
                                     sections=sections(kind))
            return Response(200, body, HTML.content_type, vary)
        if extension == "ttl":
            rep = RDF["ttl"][0]
            return Response(200, source_path(kind).read_bytes(), rep.content_type, vary)
        response = serialize_triples(triples(kind), extension)
        response.headers.extend(vary)
        return response

    def void_description(self, request: Request) -> Response:
        chosen = negotiate(request.accept, rdf_offers()) or RDF["ttl"][0]
        # Written by the same serialiser as every other RDF answer of the server.
        ntriples = self.void.graph(request.url_root()).serialize(format="nt", encoding="utf-8")
        triples = [q.triple for q in ox.parse(ntriples, ox.RdfFormat.N_TRIPLES)]
        response = serialize_triples(triples, chosen.extension)
        response.headers.append(("Vary", "Accept"))
        return response

    def dump(self, name: str) -> Response:
        if name == "":
            body = self.pages.render("dumps.html", title="Dumps", dumps=list(DUMPS.items()))
            return Response(200, body, HTML.content_type)
        if "/" in name or "\\" in name or ".." in name or "\x00" in name:
            raise HTTPError(400, f"a dump name is a file name, not a path: {name!r}")
        if name not in DUMPS:
            raise HTTPError(404, f"no dump {name!r}; the dumps are {', '.join(DUMPS)}")
        file = self.dumps.file(name)
        # The gzip copy goes under the same file name: the client saves it decoded.
        return Response(200, _file_chunks(file), DUMPS[name].media_type,
                        [("Content-Disposition", f'attachment; filename="{name}"')],
                        file.stat().st_size,
                        gzip_variant=lambda: _sized_file(self.dumps.file(name, compressed=True)))

    def query_form(self, request: Request) -> Response:
        body = self.pages.render("sparql.html", title="SPARQL endpoint",
                                 endpoint=request.url_root() + "/sparql",
                                 seconds=f"{self.limits.query_seconds:g}",
                                 megabytes=f"{self.limits.result_bytes / 1e6:g}")
        return Response(200, body, HTML.content_type, [("Vary", "Accept")])

    def home(self, request: Request) -> Response:
        summary, actors = self._home_contents()
        body = self.pages.render("home.html", title="kg", root=request.url_root(),
                                 summary=summary, actors=actors)
        return Response(200, body, HTML.content_type)

    def _home_contents(self) -> tuple[list[tuple[str, Any]], list[dict[str, Any]]]:
        """Counted once (the store does not change while served): on a million triples the
        counts take seconds, so `warm_up` runs this before the first visitor comes."""
        with self._home_lock:
            if self._home is None:
                summary = run_query(self.store, find_query("summary"), {})
                actors = [{"href": self.site.href(actor.iri),
                           "label": self.pages.label(actor.iri) or actor.iri,
                           "type": self.pages.actor_kind(actor.iri),
                           "documents": actor.documents, "mentions": actor.mentions}
                          for actor in self.top_actors.get()]
                self._home = ([(str(r[0]), r[1]) for r in summary.rows], actors)
            return self._home

    def warm_up(self) -> threading.Thread:
        """Count what the home page and VoID show, read the merged actors and the
        documents' titles, then build the pages of the most reported actors and make
        their RDF documents, in the background. Those pages are the largest (0.2 to 0.8 s
        each on a million triples), the home page links them first, and a visitor who
        came first to one held up the visitors of every other page while it was built.
        Their documents are the largest too (Kata'ib Hizballah's: 10,346 triples read in
        0.2 s); read once, they are written in each format."""
        def work() -> None:
            try:
                merges = self.merges.get()
                self.pages.documents()
                self._home_contents()
                self.void.statistics()
                top = self.top_actors.get()[:PAGES_WARMED]
                for actor in top:
                    self._page(actor.iri, merges, {})
                for actor in top:
                    iris = merges.cluster(actor.iri)
                    read = functools.cache(functools.partial(document_triples, self.store,
                                                             iris))
                    for extension in RDF:
                        self._document(iris, extension, read)
            except Exception:  # a failure shows again, with its message, on a request
                log.exception("warming up the home page, VoID figures and pages failed")

        thread = threading.Thread(target=work, name="kg-warm-up", daemon=True)
        thread.start()
        return thread


def _sized_file(path: Path) -> tuple[Iterable[bytes], int]:
    return _file_chunks(path), path.stat().st_size


def _file_chunks(path: Path, size: int = 1 << 16) -> Iterable[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(size):
            yield chunk


def make_app(store: KGStore, base_uri: str, *, mounts: Mapping[str, WSGIApp] | None = None,
             limits: ServerLimits | None = None, dump_folder: Path | None = None,
             today: Callable[[], dt.date] = dt.date.today,
             shared_folder: Path | None = None) -> KGApp:
    """The WSGI application serving `store`, whose entity IRIs are under `base_uri`.

    Each of `mounts` is another WSGI app served under its path prefix (e.g. the
    Reconciliation API at /reconcile), seeing that prefix in SCRIPT_NAME and the rest of
    the path in PATH_INFO. `today` pins what "in force now" means on pages (tests pin it).
    `shared_folder` is where server processes answering on one port share the pages and
    documents they keep (kg.publish.shared_pages). Call `close()` on the app to stop its
    query workers.
    """
    return KGApp(store, Site(base_uri), mounts=mounts or {}, limits=limits or ServerLimits(),
                 dump_folder=dump_folder, today=today, shared_folder=shared_folder)
