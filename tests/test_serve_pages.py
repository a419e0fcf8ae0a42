"""What the pages say: designations in force on the pinned day versus the history, the
sources of each fact, escaping of text that came from the news, the network picture."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from kg.namespace import KG
from kg.publish.assets import templates
from kg.publish.network_svg import NetworkEdge, NetworkNode, network_svg
from kg.publish.pages import SOURCES_SHOWN, Claim, Link, PageBuilder
from tests.conftest import RunningServer

KH_PAGE = "/kg/id/armed-group/kataib-hizballah.html"


def _designation(status: Any, delisted: str | None) -> Claim:
    return Claim(Link("d"), {"status": str(status), "delisted": delisted})


@pytest.mark.parametrize(("status", "delisted", "in_force"), [
    (KG.DesignatedStatus, None, True),
    (KG.DesignatedStatus, "2030-01-01", True),
    (KG.DesignatedStatus, "2025-06-30", False),
    (KG.DesignatedStatus, "2026-01-01", False),  # delisted on the day: no longer in force
    (KG.RevokedStatus, None, False),
    (KG.ProposedStatus, None, False),
])
def test_in_force_on_a_day(status: Any, delisted: str | None, in_force: bool) -> None:
    assert PageBuilder._in_force(_designation(status, delisted), dt.date(2026, 1, 1)) is in_force


def test_actor_page_lists_designations_in_force_and_history_with_sources(
        kg_server: RunningServer, http: Any) -> None:
    page = http.get(kg_server.url + KH_PAGE, timeout=60).text
    in_force = page.split('id="in-force"', 1)[1].split("</ul>", 1)[0]
    assert "Designations in force on 2026-01-01" in page
    assert "United States Department of State" in in_force and "since 2009-07" in in_force
    history = page.split('id="designations"', 1)[1].split("</table>", 1)[0]
    assert "terrorist designation" in history
    assert "In July 2009 the State Department designated the group" in history
    # Each affiliation names who says so: a speaker, or the source in its own voice.
    affiliations = page.split('id="affiliations"', 1)[1].split("</table>", 1)[0]
    assert "Strike near Baghdad airport" in affiliations
    assert "own voice" in affiliations or "according to" in affiliations
    events = page.split('id="events"', 1)[1].split("</table>", 1)[0]
    assert events.index("2019-12-27") < events.index("2020-01-")


def test_a_quoted_speaker_is_shown(kg_server: RunningServer, http: Any) -> None:
    page = http.get(kg_server.url + KH_PAGE, timeout=60).text
    assert 'according to <a href="/kg/id/state/united-states">United States</a>' in page


def test_text_from_the_news_is_escaped_in_pages_and_pictures() -> None:
    hostile = 'Brigade "<script>alert(1)</script>" & co'
    centre = NetworkNode("https://w3id.org/kg/id/armed-group/x", hostile, "ArmedGroup")
    other = NetworkNode("https://w3id.org/kg/id/person/y", "Y <b>", "Person")
    svg = network_svg(centre, [NetworkEdge(other, "leader of", False)], lambda iri: iri)
    root = ET.fromstring(svg)  # well-formed: the labels did not break the markup
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert hostile in texts and "<script>" not in svg
    assert len(list(root.iter("{http://www.w3.org/2000/svg}circle"))) == 2
    hrefs = [a.get("href") for a in root.iter("{http://www.w3.org/2000/svg}a")]
    assert hrefs == [other.iri, centre.iri]


def test_templates_escape_labels(kg_server: RunningServer) -> None:
    builder: PageBuilder = kg_server.app.pages
    html = builder.render("resource.html", iri="x", title="<script>x</script>",
                          document_path="/p", properties=[(Link("p"), [Link("<i>v</i>")])],
                          links=[]).decode("utf-8")
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html
    assert "&lt;i&gt;v&lt;/i&gt;" in html


def test_a_claim_restated_by_many_sources_shows_the_first_few_and_links_the_rest() -> None:
    macro = templates().from_string(
        '{% import "_macros.html" as m %}{{ m.sources(items, claim, shown) }}')
    claim = Link("affiliation/x", "/kg/id/affiliation/x", "https://w3id.org/kg/id/affiliation/x")
    items = [{"quote": f"Report {n} says so.", "document": Link(f"Report {n}"), "date": None,
              "record": None, "speaker": None, "evidence": Link(f"evidence/{n}")}
             for n in range(SOURCES_SHOWN + 2)]
    many = macro.render(items=items, claim=claim, shown=SOURCES_SHOWN)
    assert many.count("<blockquote>") == SOURCES_SHOWN
    assert f"Report {SOURCES_SHOWN - 1} says so." in many and f"Report {SOURCES_SHOWN} " not in many
    assert 'and 2 more, each linked from <a href="/kg/id/affiliation/x">' in many
    few = macro.render(items=items[:SOURCES_SHOWN], claim=claim, shown=SOURCES_SHOWN)
    assert few.count("<blockquote>") == SOURCES_SHOWN and "more" not in few
