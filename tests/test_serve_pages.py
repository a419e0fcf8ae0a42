"""What the pages say: designations in force on the pinned day versus the history, the
sources of each fact, escaping of text that came from the news, the network picture."""

from __future__ import annotations

import datetime as dt
import html
import re
import xml.etree.ElementTree as ET
from typing import Any

import pyoxigraph as ox
import pytest

from kg.namespace import DEFAULT_BASE, KG
from kg.publish import pages as pages_module
from kg.publish.assets import templates
from kg.publish.network_svg import NetworkEdge, NetworkNode, network_svg
from kg.publish.page_cache import PageCache
from kg.publish.pages import SOURCES_SHOWN, Claim, Link, PageBuilder
from tests.conftest import SERVE_TODAY, RunningServer

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
    # Each mention once, however many graphs state it.
    mentions = {q.object for q in kg_server.app.store.db.quads_for_pattern(
        ox.NamedNode(DEFAULT_BASE + "armed-group/kataib-hizballah"), ox.NamedNode(str(KG.mention)),
        None, None)}
    assert len(mentions) > 1 and f"mentioned {len(mentions)} times in the sources" in page


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


def test_a_claim_restated_by_many_sources_shows_the_first_few_and_links_the_rest(
        kg_server: RunningServer) -> None:
    builder: PageBuilder = kg_server.app.pages
    macro = templates().from_string('{% import "_macros.html" as m %}{{ m.sources(claim) }}')
    evidence = [({"quote": ox.Literal(f"Report {n} says so."), "recordId": None,
                  "document": ox.NamedNode(f"https://example.org/report/{n}"), "speaker": None,
                  "evidence": ox.NamedNode(f"https://w3id.org/kg/id/evidence/{n}")},
                 ox.Literal(f"Report {n}"), None) for n in range(SOURCES_SHOWN + 2)]

    def claim(rows: list[Any]) -> Claim:
        made = Claim(Link("affiliation/x", "/kg/id/affiliation/x",
                          "https://w3id.org/kg/id/affiliation/x"), {})
        builder._attach_sources(made, rows)
        return made

    many = macro.render(claim=claim(evidence))
    assert many.count("<blockquote>") == SOURCES_SHOWN
    assert f"Report {SOURCES_SHOWN - 1} says so." in many and f"Report {SOURCES_SHOWN} " not in many
    assert 'and 2 more, each linked from <a href="/kg/id/affiliation/x">' in many
    few = macro.render(claim=claim(evidence[:SOURCES_SHOWN]))
    assert few.count("<blockquote>") == SOURCES_SHOWN and "more" not in few


def _events_shown(page: str) -> list[str]:
    table = page.split('id="events"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<br><a href="(/kg/id/[^"]+)"', table)


def _next(page: str, noun: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="next">next {noun}</a>', page)
    return html.unescape(found.group(1)) if found else None


def test_a_long_list_is_shown_a_page_at_a_time(kg_server: RunningServer, http: Any,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kg_server.app, "page_cache", PageCache())
    everything = _events_shown(http.get(kg_server.url + KH_PAGE, timeout=60).text)
    assert len(everything) >= 3
    monkeypatch.setattr(kg_server.app, "page_cache", PageCache())
    monkeypatch.setattr(kg_server.app.pages, "rows_shown", 2)
    first = http.get(kg_server.url + KH_PAGE, timeout=60).text
    assert f"events 1–2 of {len(everything)}" in first
    assert "previous events" not in first
    # Following "next" walks the whole list, in order, each event once.
    walked, address, pages = [], KH_PAGE, 0
    while address is not None:
        page = http.get(kg_server.url + address, timeout=60)
        assert page.status_code == 200
        walked += _events_shown(page.text)
        address, pages = _next(page.text, "events"), pages + 1
    assert walked == everything and pages == -(-len(everything) // 2)
    # Paging one list keeps the page of another.
    monkeypatch.setattr(kg_server.app.pages, "rows_shown", 1)
    second = http.get(kg_server.url + KH_PAGE + "?events=2&affiliations=2", timeout=60).text
    assert "affiliations 2–2 of 2" in second and "events 2–2 of 3" in second
    assert _next(second, "events") == KH_PAGE + "?affiliations=2&events=3#events-heading"
    assert 'href="' + KH_PAGE + '?affiliations=2#events-heading" rel="prev"' in second


@pytest.mark.parametrize(("query", "status", "says"), [
    ("events=two", 400, "events: a page number"),
    ("events=0", 400, "events: a page number"),
    ("designations=-1", 400, "designations: a page number"),
    ("events=999", 404, "there is no page 999"),
])
def test_a_page_of_a_list_that_is_not_there(kg_server: RunningServer, http: Any, query: str,
                                            status: int, says: str) -> None:
    answer = http.get(f"{kg_server.url}{KH_PAGE}?{query}", timeout=60)
    assert answer.status_code == status
    assert says in answer.text


def test_a_long_timeline_read_in_two_steps_shows_what_reading_it_whole_shows(
        kg_server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A much-reported actor's page reads its events' dates first, and the rest of the
    events it shows then (pages.PageBuilder._events); what it shows must be what reading
    every event whole shows."""
    builder = PageBuilder(kg_server.app.store, kg_server.app.site, rows_shown=1)
    iri = DEFAULT_BASE + "armed-group/kataib-hizballah"
    pages = {}
    for one_by_one in (False, True):
        monkeypatch.setattr(pages_module, "EVENTS_PER_SHOWN_EVENT", 0 if one_by_one else 10**9)
        pages[one_by_one] = [builder.entity_page(iri, today=SERVE_TODAY, asked=asked)
                             for asked in ({}, {"events": 2}, {"events": 3})]
    assert pages[True] == pages[False]
    shown = [_events_shown(page.decode("utf-8")) for page in pages[True]]
    assert all(len(events) == 1 for events in shown) and len({e[0] for e in shown}) == 3
    assert all(b"<blockquote>" in page.split(b'id="events"', 1)[1] for page in pages[True])


def _restated_leadership(tmp_path: Any, roles: list[str]) -> tuple[Any, list[Any]]:
    """A store where one leadership (a person of a state) is restated by one dated report
    per role, each with its quote: the store and the two actors."""
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import DCTERMS, XSD

    from kg.namespace import RDF, RDFS
    from kg.store import KGStore

    store = KGStore(tmp_path / "store")
    person, state = (URIRef(DEFAULT_BASE + p) for p in ("person/role-test", "state/role-test"))
    affiliation = URIRef(DEFAULT_BASE + "affiliation/role-test")
    for n, role in enumerate(roles):
        document = URIRef(f"https://example.org/report/{n}")
        evidence = URIRef(DEFAULT_BASE + f"evidence/role-test-{n}")
        g = Graph()
        g.add((document, DCTERMS.title, Literal(f"Report {n}")))
        # Dated latest first, so that the order shown is not the order written.
        g.add((document, DCTERMS.issued, Literal(f"20{30 - n}-01-01", datatype=XSD.date)))
        for actor, kind, label in ((person, KG.Person, "Role Test"),
                                   (state, KG.State, "Roleland")):
            g.add((actor, RDF.type, kind))
            g.add((actor, RDFS.label, Literal(label)))
            g.add((actor, KG.mention, URIRef(f"{document}#mention-{kind.rpartition('#')[2]}")))
        g.add((affiliation, RDF.type, KG.Affiliation))
        g.add((affiliation, KG.member, person))
        g.add((affiliation, KG.organization, state))
        g.add((affiliation, KG.affiliationKind, KG.LeaderAffiliation))
        g.add((affiliation, KG.role, Literal(role)))
        g.add((affiliation, KG.evidence, evidence))
        g.add((evidence, KG.inDocument, document))
        g.add((evidence, KG.quote, Literal(f"Report {n} names the {role}.")))
        store.replace_document(document, g)
    return store, [person, state]


def _affiliations_shown(store: Any, actor: Any) -> tuple[str, str]:
    from kg.publish.site import Site

    page = PageBuilder(store, Site(DEFAULT_BASE)).entity_page(
        str(actor), today=SERVE_TODAY).decode("utf-8")
    return page, page.split('id="affiliations"', 1)[1].split("</table>", 1)[0]


def test_an_affiliation_restated_with_other_roles_shows_them_all_on_both_pages(
        tmp_path: Any) -> None:
    """Two reports name one leadership with different titles: both actors' pages show
    both titles (once the page showed whichever the store gave first, so a leader's page
    and his state's could disagree), and the affiliation's two sources once each."""
    store, actors = _restated_leadership(tmp_path, ["leader", "supreme leader"])
    for actor in actors:
        page, row = _affiliations_shown(store, actor)
        assert "<td>leader, supreme leader</td>" in row
        assert row.count("<blockquote>") == 2
        assert "Report 0 names the leader." in row and "Report 1 names the supreme" in row
        assert "mentioned 2 times in the sources" in page


def test_a_claim_of_many_sources_shows_the_earliest_and_counts_the_rest(
        tmp_path: Any) -> None:
    many = SOURCES_SHOWN + 3
    store, actors = _restated_leadership(tmp_path, ["leader"] * many)
    _page, row = _affiliations_shown(store, actors[0])
    quotes = re.findall(r"“Report (\d+) names", row)
    # Report n is dated 20(30-n): the earliest are the last written.
    assert quotes == [str(n) for n in range(many - 1, many - 1 - SOURCES_SHOWN, -1)]
    assert f"and {many - SOURCES_SHOWN} more, each linked from" in row


def test_claims_written_as_blank_nodes_are_shown(tmp_path: Any) -> None:
    """kg mints an IRI for every claim, but a store filled by hand may hold blank nodes:
    the page shows them rather than failing."""
    from rdflib import BNode, Graph, Literal, URIRef

    from kg.namespace import RDF, RDFS
    from kg.publish.site import Site
    from kg.store import KGStore

    store = KGStore(tmp_path / "store")
    group, state = (URIRef(DEFAULT_BASE + p) for p in ("armed-group/blank", "state/blank"))
    affiliation, event, participation, evidence = BNode(), BNode(), BNode(), BNode()
    document = URIRef("https://example.org/report/blank")
    g = Graph()
    g.add((document, RDF.type, KG.Document))
    for actor, kind, label in ((group, KG.ArmedGroup, "Blank Brigade"),
                               (state, KG.State, "Blankland")):
        g.add((actor, RDF.type, kind))
        g.add((actor, RDFS.label, Literal(label)))
    g.add((affiliation, KG.member, group))
    g.add((affiliation, KG.organization, state))
    g.add((affiliation, KG.affiliationKind, KG.SupportAffiliation))
    g.add((affiliation, KG.evidence, evidence))
    g.add((evidence, KG.inDocument, document))
    g.add((evidence, KG.quote, Literal("Blankland arms the Blank Brigade.")))
    g.add((event, RDF.type, KG.Attack))
    g.add((event, KG.date, Literal("2024-05-01")))
    g.add((event, KG.participation, participation))
    g.add((participation, KG.participant, group))
    g.add((participation, KG.participantRole, Literal("perpetrator")))
    store.replace_document(document, g)
    page = PageBuilder(store, Site(DEFAULT_BASE)).entity_page(
        str(group), today=SERVE_TODAY).decode("utf-8")
    affiliations = page.split('id="affiliations"', 1)[1].split("</table>", 1)[0]
    assert "Blankland" in affiliations and "Blankland arms the Blank Brigade." in affiliations
    events = page.split('id="events"', 1)[1].split("</table>", 1)[0]
    assert "2024-05-01" in events and "perpetrator" in events
