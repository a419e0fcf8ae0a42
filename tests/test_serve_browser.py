"""The HTML pages in a real headless browser (Debian's chromium driven by playwright, whose
own browser downloads are never used): an actor's page loads with its sections, its links
work, and the picture of its network renders (a screenshot that is not blank)."""

from __future__ import annotations

import shutil
import struct
import urllib.parse
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunningServer

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
KH_PAGE = "/kg/id/armed-group/kataib-hizballah"
# What chromium sends when it follows a link.
BROWSER_ACCEPT = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,"
                  "image/webp,image/apng,*/*;q=0.8")


def _chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("chromium is missing: `make debian-deps` installs it from Debian")
    return path


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=_chromium(), headless=True,
            args=CHROMIUM_FLAGS, viewport={"width": 1200, "height": 900})
        try:
            yield context
        finally:
            context.close()


def _pixels(png: bytes) -> list[tuple[int, ...]]:
    """The pixels of an 8-bit RGB or RGBA, non-interlaced PNG (what chromium writes), read
    with the standard library only."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks, header = 8, b"", b""
    while position < len(png):
        length, kind = struct.unpack(">I4s", png[position:position + 8])
        data = png[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = data
        elif kind == b"IDAT":
            chunks += data
        position += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    channels = 4 if colour == 6 else 3
    raw = zlib.decompress(chunks)
    stride = width * channels
    rows: list[bytearray] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - corner
                pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
                predictor = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + predictor) & 0xFF
        rows.append(line)
        previous = line
    return [tuple(row[x * channels:x * channels + 3]) for row in rows for x in range(width)]


def test_actor_page_loads_links_work_and_network_renders(
        kg_server: RunningServer, browser: Any, tmp_path: Path) -> None:
    page = browser.new_page()
    failures: list[str] = []
    page.on("requestfailed", lambda request: failures.append(request.url))
    response = page.goto(kg_server.url + KH_PAGE)  # the IRI's path: 303, then the page
    assert response is not None and response.status == 200
    assert page.url == kg_server.url + KH_PAGE + ".html"
    assert page.locator("h1").inner_text() == "Kata'ib Hizballah"
    for section in ("#affiliations", "#designations", "#events", "#wikidata", "#in-force"):
        assert page.locator(section).count() == 1, section
    assert "Iran" in page.locator("#affiliations").inner_text()
    assert "Department of State" in page.locator("#designations").inner_text()
    assert page.locator("#events blockquote").count() >= 1  # each fact shows its quote

    # The network picture: drawn, with a node per neighbour, and not blank.
    network = page.locator("#network svg")
    box = network.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 200
    assert network.locator("circle").count() >= 3
    shot = tmp_path / "network.png"
    network.screenshot(path=str(shot))
    pixels = _pixels(shot.read_bytes())
    drawn = sum(1 for p in pixels if min(p) < 245)
    assert drawn > 2000, f"the network picture is blank ({drawn} drawn pixels)"
    # The centre, an armed group, is a disc of radius 22 in the armed-group colour.
    centre = sum(1 for r, g, b in pixels if abs(r - 0xE1) + abs(g - 0x57) + abs(b - 0x59) < 30)
    assert centre > 1000, centre
    assert len(set(pixels)) > 10

    # Every link to this server answers; following one in the picture opens that page.
    hrefs = page.eval_on_selector_all(
        "a[href]", "els => els.map(e => e.getAttribute('href'))")
    local = sorted({h.split("#")[0] for h in hrefs if h.startswith("/")})
    assert len(local) >= 10
    for href in local:
        answer = page.request.get(kg_server.url + href, headers={"Accept": BROWSER_ACCEPT})
        assert answer.status == 200, href
    neighbour = network.locator("a").first
    target = urllib.parse.urljoin(kg_server.url, neighbour.get_attribute("href"))
    neighbour.click()
    page.wait_for_url(target + ".html")
    assert page.locator("h1").inner_text() != "Kata'ib Hizballah"
    assert not failures, failures
    page.close()


def test_claim_page_and_home_page_in_the_browser(kg_server: RunningServer, browser: Any
                                                 ) -> None:
    page = browser.new_page()
    response = page.goto(kg_server.url + "/")
    assert response is not None and response.status == 200
    assert page.locator("#summary tr").count() >= 5
    page.locator("#actors a").first.click()
    page.wait_for_load_state()
    assert page.url.endswith(".html") and page.locator("h1").count() == 1
    page.goto(kg_server.url + KH_PAGE + ".html")
    page.locator("#affiliations a[href*='/affiliation/']").first.click()
    page.wait_for_load_state()
    assert "/affiliation/" in page.url
    assert "member" in page.locator("#properties").inner_text()
    assert "Kata'ib Hizballah" in page.locator("#properties").inner_text()
    page.goto(kg_server.url + "/sparql")
    page.locator("#query-form select").select_option("json")
    with page.expect_response(lambda r: "/sparql?" in r.url) as answer:
        page.locator("#query-form button").click()
    assert answer.value.status == 200
    page.wait_for_load_state()
    assert "Kata'ib Hizballah" in page.locator("body").inner_text()
    page.goto(kg_server.url + "/kg/ontology#ArmedGroup")
    assert page.locator("#ArmedGroup").is_visible()
    page.close()


def test_an_unknown_entity_is_a_not_found_page_with_a_way_home(
        kg_server: RunningServer, browser: Any) -> None:
    page = browser.new_page()
    response = page.goto(kg_server.url + "/kg/id/armed-group/no-such-group")
    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text() == "Not found"
    assert "no-such-group" in page.locator("#not-found").inner_text()
    page.locator("main a[href='/']").click()
    page.wait_for_url(kg_server.url + "/")
    assert page.locator("#summary tr").count() >= 5
    page.close()
