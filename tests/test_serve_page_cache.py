"""The page cache: pages slow enough are kept (every page, as the server keeps them),
within a byte budget, the least recently used of the quick ones first out; clients
asking at once for a page being built wait for it rather than build it again; the
server sends a kept page as it was built, and builds the most reported actors' pages
when it starts."""

from __future__ import annotations

import gzip
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from kg.namespace import DEFAULT_BASE
from kg.publish.conneg import RDF
from kg.publish.page_cache import SLOW_SECONDS, Page, PageCache
from kg.publish.server import PAGES_WARMED
from kg.publish.shared_pages import SharedPages
from tests.conftest import RunningServer


def _builder(body: bytes, seconds: float, calls: list[bytes]) -> Any:
    """A page that takes `seconds` of processor time to build (sleeping takes none)."""
    def build() -> bytes:
        calls.append(body)
        started = time.thread_time()
        while time.thread_time() - started < seconds:
            pass
        return body
    return build


def test_only_slow_pages_are_kept() -> None:
    cache = PageCache(min_seconds=0.02, max_bytes=1000)
    calls: list[bytes] = []
    for _ in range(2):
        assert cache.page("slow", _builder(b"s" * 10, 0.03, calls)).body == b"s" * 10
        assert cache.page("fast", _builder(b"f" * 10, 0.0, calls)).body == b"f" * 10
    assert calls == [b"s" * 10, b"f" * 10, b"f" * 10]
    assert len(cache) == 1


def test_the_least_recently_used_page_goes_first_when_the_budget_is_spent() -> None:
    cache = PageCache(min_seconds=0.0, max_bytes=25)
    calls: list[bytes] = []
    for key in ("a", "b"):
        cache.page(key, _builder(key.encode() * 10, 0.0, calls))
    cache.page("a", _builder(b"never", 0.0, calls))  # "a" is now the most recent
    cache.page("c", _builder(b"c" * 10, 0.0, calls))  # 30 bytes: "b" goes
    cache.page("big", _builder(b"x" * 26, 0.0, calls))  # over the budget alone: not kept
    assert len(cache) == 2 and cache._cached("b") is None
    assert cache._cached("a") == Page(b"a" * 10) and cache._cached("c") == Page(b"c" * 10)


def test_a_crawl_of_quick_pages_does_not_push_out_a_slow_one() -> None:
    """Every page kept, as the server keeps them: when the budget is spent, the quick
    pages go first, however recently the slow one was asked for."""
    cache = PageCache(min_seconds=0.0, max_bytes=40)
    calls: list[bytes] = []
    cache.page("slow", _builder(b"s" * 10, SLOW_SECONDS * 2, calls))
    for n in range(10):  # 10 quick pages of 10 bytes: 3 fit beside the slow one
        cache.page(f"quick-{n}", _builder(str(n).encode() * 10, 0.0, calls))
    assert cache._cached("slow") == Page(b"s" * 10)
    assert [n for n in range(10) if cache._cached(f"quick-{n}")] == [7, 8, 9]
    # A larger slow page: the quick ones go, then the least recently used slow one.
    cache.page("slow-2", _builder(b"t" * 35, SLOW_SECONDS * 2, calls))
    assert cache._cached("slow") is None and cache._cached("slow-2") is not None
    assert len(cache) == 1


def test_a_kept_page_keeps_its_gzip_variant_within_the_budget() -> None:
    """Compressed once, when kept; a page too small to be sent compressed has none, and
    one not kept is left to be compressed per request."""
    body = b"<p>a claim and its sources</p>" * 100
    cache = PageCache(min_seconds=0.0, max_bytes=len(body) + 200)
    calls: list[bytes] = []
    kept = cache.page("big", _builder(body, 0.0, calls))
    assert kept.gzipped is not None and gzip.decompress(kept.gzipped) == body
    assert kept.gzip_variant is not None and kept.gzip_variant() == (
        kept.gzipped, len(kept.gzipped))
    assert cache.page("big", _builder(b"never", 0.0, calls)) is kept and calls == [body]
    assert cache.page("small", _builder(b"tiny", 0.0, calls)).gzip_variant is None
    assert cache._bytes == len(body) + len(kept.gzipped) + len(b"tiny")
    fast = PageCache(min_seconds=10.0).page("fast", _builder(body, 0.0, calls))
    assert fast == Page(body)


def test_clients_asking_at_once_wait_for_one_build() -> None:
    cache = PageCache(min_seconds=0.01, max_bytes=1000)
    calls: list[bytes] = []
    results: list[bytes] = []
    threads = [threading.Thread(target=lambda: results.append(
        cache.page("p", _builder(b"page", 0.1, calls)).body)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [b"page"] * 8 and calls == [b"page"]


def test_the_server_sends_a_kept_page_unchanged(kg_server: RunningServer, http: Any) -> None:
    iri = DEFAULT_BASE + "armed-group/kataib-hizballah"
    cache: PageCache = kg_server.app.page_cache
    # Kept however fast it was to build (the examples' pages take a millisecond or two).
    first = http.get(f"{kg_server.url}/kg/id/armed-group/kataib-hizballah.html", timeout=60)
    kept = cache._cached((iri, kg_server.app.today(), ()))
    assert kept is not None and kept.body == first.content
    second = http.get(f"{kg_server.url}/kg/id/armed-group/kataib-hizballah.html", timeout=60)
    assert second.status_code == 200 and second.content == first.content
    assert second.headers["Content-Type"] == first.headers["Content-Type"]


def test_the_most_reported_actors_pages_and_documents_are_made_at_start(
        kg_server: RunningServer, http: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    app = kg_server.app
    monkeypatch.setattr(app, "page_cache", PageCache(min_seconds=0.0))
    monkeypatch.setattr(app, "document_cache", PageCache(min_seconds=0.0))
    app.warm_up().join(120)
    top = [actor.iri for actor in app.top_actors.get()]
    kept = [iri for iri in top if app.page_cache._cached((iri, app.today(), ())) is not None]
    assert DEFAULT_BASE + "armed-group/kataib-hizballah" in kept
    assert kept == top[:PAGES_WARMED] and len(kept) > 1
    for iri in top[:PAGES_WARMED]:
        for extension in RDF:
            document = app.document_cache._cached((iri, extension))
            assert document is not None, (iri, extension)
            sent = http.get(f"{kg_server.url}{app.site.href(iri)}.{extension}", timeout=60)
            assert sent.status_code == 200 and sent.content == document.body
    assert len(app.document_cache) == len(kept) * len(RDF)


def test_rdf_documents_are_kept_and_sent_unchanged(kg_server: RunningServer, http: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kg_server.app, "document_cache", PageCache(min_seconds=0.0))
    iri = DEFAULT_BASE + "armed-group/kataib-hizballah"
    url = f"{kg_server.url}/kg/id/armed-group/kataib-hizballah"
    first = {ext: http.get(f"{url}.{ext}", timeout=60) for ext in ("ttl", "nt")}
    for ext, answer in first.items():
        kept = kg_server.app.document_cache._cached((iri, ext))
        assert kept is not None and gzip.decompress(kept.gzipped or b"") == answer.content
        again = http.get(f"{url}.{ext}", timeout=60)
        assert again.content == answer.content
        assert again.headers["Content-Type"] == answer.headers["Content-Type"]
    assert first["ttl"].headers["Content-Type"].startswith("text/turtle")
    assert first["nt"].headers["Content-Type"].startswith("application/n-triples")


def test_processes_share_the_pages_they_keep_through_a_folder(tmp_path: Path) -> None:
    """Two caches over one folder stand for two server processes: a page one built and
    kept, the other sends without building it, gzip variant and all."""
    first, second = (PageCache(min_seconds=0.0, shared=SharedPages(tmp_path / "pages"))
                     for _ in range(2))
    calls: list[bytes] = []
    body = b"<p>" + b"Kata'ib Hizballah " * 200 + b"</p>"
    built = first.page(("kh", "2026-01-01"), _builder(body, 0.0, calls))
    again = second.page(("kh", "2026-01-01"), _builder(b"other", 0.0, calls))
    assert calls == [body]
    assert again.body == body and again.gzipped == built.gzipped
    assert gzip.decompress(again.gzipped or b"") == body
    # A small page (no gzip variant) comes back as it was, and other keys are apart.
    first.page("tiny", _builder(b"tiny", 0.0, calls))
    assert second.page("tiny", _builder(b"x", 0.0, calls)).body == b"tiny"
    assert second.page("other", _builder(b"other", 0.0, calls)).body == b"other"
    assert calls == [body, b"tiny", b"other"]
    # Past its byte budget a process keeps pages in its memory only.
    small = PageCache(min_seconds=0.0, shared=SharedPages(tmp_path / "small", max_bytes=10))
    small.page("big", _builder(body, 0.0, calls))
    assert not list((tmp_path / "small").iterdir())
