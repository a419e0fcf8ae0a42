"""Claims checked as an analyst would: short texts written for these tests (not corpus
text), each saying one thing about an armed actor, and the facts kg reads from it.

Each text goes through `read_document` -> `extract_document` -> `document_facts`, as
`kg extract --format facts` does. Names are compared loosely: a case-insensitive
substring of the actor's name or of one of its aliases (so "Pentagon" finds "United States
Department of Defense" when the document calls it the Pentagon). The actors are not
limited to Iraq: al-Shabaab, the Houthis, the Haqqani network, the Wagner Group, Hamas,
Hezbollah and Boko Haram each appear.

Positive cases check that the claim is there, and that nothing else is read from the
sentence (a one-sentence text says what it says: an extra claim is a wrong one).
Negative cases check that both actors were found, so that "no claim" cannot pass because
the actors were missed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal

from kg.documents import read_document
from kg.extract import ExtractOptions, extract_document
from kg.facts import document_facts
from kg.identity import EVENT_TYPES, document_iri
from kg.namespace import KG, RDF
from kg.validate import validate_graph

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
PUBLISHED = "2020-01-06"  # a Monday
Facts = dict[str, Any]
Row = dict[str, Any]


@dataclass(frozen=True)
class Extracted:
    facts: Facts
    graph: Graph
    text: str


def _extract(tmp_path: Path, body: str, *, published: str = PUBLISHED,
             publisher: str = "kg test desk", name: str = "article.txt") -> Extracted:
    """Write `body` as an article in the header format, and extract it."""
    path = tmp_path / name
    path.write_text(
        f"url: https://w3id.org/kg/test/articles/{path.stem}\n"
        "title: A test article\n"
        f"publisher: {publisher}\n"
        f"published: {published}\n"
        "---\n"
        f"{body}\n",
        encoding="utf-8",
    )
    doc = read_document(path)
    graph = extract_document(doc, ExtractOptions(now=NOW))
    return Extracted(document_facts(graph, document_iri(doc.url, doc.content_hash)), graph,
                     doc.text)


def _is(facts: Facts, actual: str | None, expected: str) -> bool:
    """Whether the actor named `actual` is `expected`: a case-insensitive substring of its
    name or of an alias the document uses for it."""
    if actual is None:
        return False
    forms = [actual]
    for actor in facts["actors"]:
        if actor["name"] == actual:
            forms.extend(actor["aliases"])
    return any(expected.casefold() in form.casefold() for form in forms)


def _has_actor(facts: Facts, name: str) -> bool:
    return any(_is(facts, actor["name"], name) for actor in facts["actors"])


def _is_affiliation(facts: Facts, row: Row, member: str, kind: str, organization: str) -> bool:
    if row["kind"] != kind:
        return False
    pairs = [(row["member"], row["organization"])]
    if kind == "allied_with":  # symmetric
        pairs.append((row["organization"], row["member"]))
    return any(_is(facts, m, member) and _is(facts, o, organization) for m, o in pairs)


def _brief(rows: list[Row]) -> list[Row]:
    """Rows without their evidence, for readable failure messages."""
    return [{k: v for k, v in row.items() if k != "evidence"} for row in rows]


def _participants(event: Row, role: str) -> list[str | None]:
    return [p["actor"] for p in event["participants"] if p["role"] == role]


def _performed_by(facts: Facts, event: Row, actor: str) -> bool:
    return any(_is(facts, name, actor) for name in _participants(event, "perpetrator"))


# -- affiliations --------------------------------------------------------------------

AFFILIATIONS = [
    pytest.param(
        "Ahmed Diriye, a senior commander of al-Shabaab, was seen in Kismayo last week.",
        "Ahmed Diriye", "member", "al-Shabaab", id="member-appositive-al-shabaab"),
    pytest.param(
        "Dmitry Utkin, a senior commander of the Wagner Group, arrived in Bamako on Monday.",
        "Dmitry Utkin", "member", "Wagner", id="member-appositive-wagner"),
    pytest.param(
        "Hezbollah's leader Hassan Nasrallah gave a speech in Beirut on Sunday.",
        "Nasrallah", "leader", "Hezbollah", id="leader-possessive"),
    pytest.param(
        "Hamas leader Ismail Haniyeh spoke to reporters in Doha.",
        "Haniyeh", "leader", "Hamas", id="leader-noun-modifier"),
    pytest.param(
        "Wagner Group leader Yevgeny Prigozhin died in a plane crash.",
        "Prigozhin", "leader", "Wagner", id="leader-noun-modifier-wagner"),
    pytest.param(
        "Hassan Nasrallah is the secretary general of Hezbollah.",
        "Nasrallah", "leader", "Hezbollah", id="leader-secretary-general"),
    pytest.param(
        "Boko Haram has waged an insurgency led by Abubakar Shekau across northeastern "
        "Nigeria.",
        "Shekau", "leader", "Boko Haram", id="leader-insurgency-led-by"),
    pytest.param(
        "The Houthis, an Iran-backed militia, control the capital, Sanaa.",
        "Houthis", "supported_by", "Iran", id="supported-iran-backed"),
    pytest.param(
        "The Haqqani network has close ties to al-Qaeda.",
        "Haqqani", "allied_with", "al-Qaeda", id="allied-close-ties"),
    pytest.param(
        "Hezbollah is a close ally of Hamas.",
        "Hamas", "allied_with", "Hezbollah", id="allied-close-ally-either-direction"),
    pytest.param(
        "Al-Shabaab's intelligence wing, the Amniyat, runs a network of informants in "
        "Mogadishu.",
        "Amniyat", "part_of", "al-Shabaab", id="part-of-possessive-appositive"),
    pytest.param(
        "The Amniyat is al-Shabaab's intelligence wing.",
        "Amniyat", "part_of", "al-Shabaab", id="part-of-copula"),
    pytest.param(
        "Al-Qaeda is a global jihadist network. Its splinter group, the Islamic State, took "
        "Mosul in 2014.",
        "Islamic State", "splinter_of", "al-Qaeda", id="splinter-its"),
    pytest.param(
        # "Its" is the subject of the sentence before, not the country it was active in.
        "Al-Qaeda remained active in Syria. Its splinter group, the Islamic State, seized "
        "Raqqa in 2014.",
        "Islamic State", "splinter_of", "al-Qaeda", id="splinter-its-after-a-place"),
    pytest.param(
        "Hamas's chief Yahya Sinwar was seen in Khan Younis.",
        "Sinwar", "leader", "Hamas", id="leader-possessive-post-before-name"),
    pytest.param(
        "Jalaluddin Haqqani founded the Haqqani network.",
        "Jalaluddin", "leader", "Haqqani network", id="leader-active-founded"),
    pytest.param(
        "The Quds Force had given weapons and training to the Houthis.",
        "Houthis", "supported_by", "Quds Force", id="supported-given-by-subject"),
    pytest.param(
        "The Haqqani network operates in Afghanistan. The network is part of the Taliban.",
        "Haqqani", "part_of", "Taliban", id="part-of-the-network-refers-back-by-name"),
    pytest.param(
        "Esmail Qaani is the commander of the Quds Force.",
        "Qaani", "leader", "Quds Force", id="leader-the-commander"),
    pytest.param(
        "Mahad Karate is a commander of al-Shabaab.",
        "Karate", "member", "al-Shabaab", id="member-a-commander"),
    pytest.param(
        "Hashem Al Mayahi first fought as part of the Mahdi army.",
        "Mayahi", "member", "Mahdi army", id="member-lower-case-army"),
    pytest.param(
        "In the 1980s, Jalaluddin Haqqani received American support.",
        "Jalaluddin", "supported_by", "United States", id="supported-person-american-support"),
    pytest.param(
        "Yevgeny Prigozhin fought in Ukraine with support from Russia.",
        "Prigozhin", "supported_by", "Russia", id="supported-with-support-from"),
    pytest.param(
        "Mahad Karate played a key role in the Amniyat.",
        "Karate", "member", "Amniyat", id="member-played-a-role"),
    pytest.param(
        "Soleimani was the commander of the Quds Force of the Islamic Revolutionary Guard "
        "Corps.",
        "Quds Force", "part_of", "Islamic Revolutionary Guard Corps", id="part-of-of"),
]


@pytest.mark.parametrize(("body", "member", "kind", "organization"), AFFILIATIONS)
def test_affiliation_is_read(tmp_path: Path, body: str, member: str, kind: str,
                             organization: str) -> None:
    facts = _extract(tmp_path, body).facts
    rows = facts["affiliations"]
    assert any(_is_affiliation(facts, r, member, kind, organization) for r in rows), (
        f"expected {member} {kind} {organization}; got {_brief(rows)}")
    extra = [r for r in rows if not _is_affiliation(facts, r, member, kind, organization)]
    assert not extra, f"the sentence says only {member} {kind} {organization}; also got " \
        f"{_brief(extra)}"


def test_every_listed_part_is_a_part(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "Armed groups in the Popular Mobilization Forces include the "
                               "Badr Organization, Asa'ib Ahl al-Haq and Kata'ib "
                               "Hizballah.").facts
    for part in ("Badr", "Asa'ib", "Kata'ib Hizballah"):
        assert any(_is_affiliation(facts, r, part, "part_of", "Popular Mobilization")
                   for r in facts["affiliations"]), (part, _brief(facts["affiliations"]))


def test_its_in_an_apposition_is_not_the_phrase_itself(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "A 2016 law made the Popular Mobilization Forces part of the "
                               "state, but Kata'ib Hizballah, one of its strongest factions, "
                               "kept close ties to Tehran.").facts
    rows = facts["affiliations"]
    assert any(_is_affiliation(facts, r, "Hizballah", "part_of", "Popular Mobilization")
               for r in rows), _brief(rows)
    assert any(_is_affiliation(facts, r, "Hizballah", "allied_with", "Iran")
               for r in rows), _brief(rows)


def test_the_post_belongs_to_the_organization_not_its_country(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "Qais al-Khazali, leader of Iraq's Shi'ite militia Asa'ib Ahl "
                               "al-Haq, spoke in Karbala.").facts
    rows = facts["affiliations"]
    assert any(_is_affiliation(facts, r, "Khazali", "leader", "Asa'ib") for r in rows), \
        _brief(rows)
    assert not any(_is_affiliation(facts, r, "Khazali", "leader", "Iraq") for r in rows), \
        _brief(rows)


def test_two_supporters_in_one_clause_are_two_affiliations(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "The Houthis receive weapons and training from Iran and "
                               "Russia.").facts
    rows = facts["affiliations"]
    for supporter in ("Iran", "Russia"):
        assert any(_is_affiliation(facts, r, "Houthis", "supported_by", supporter)
                   for r in rows), f"expected Houthis supported_by {supporter}; got " \
                                   f"{_brief(rows)}"


NO_AFFILIATION = [
    pytest.param("Hassan Nasrallah praised Hamas in a televised speech.",
                 ("Nasrallah", "Hamas"), id="praise"),
    pytest.param("Ismail Haniyeh met Hezbollah officials in Beirut.",
                 ("Haniyeh", "Hezbollah"), id="meeting-officials"),
    pytest.param("Hamas and Hezbollah were both mentioned in the report on Tuesday.",
                 ("Hamas", "Hezbollah"), id="two-groups-in-one-sentence"),
    pytest.param("Abubakar Shekau spoke in Maiduguri while al-Shabaab fighters gathered near "
                 "Mogadishu.", ("Shekau", "al-Shabaab"), id="person-and-group-in-one-sentence"),
]


@pytest.mark.parametrize(("body", "actors"), NO_AFFILIATION)
def test_no_affiliation_where_the_text_states_none(tmp_path: Path, body: str,
                                                   actors: tuple[str, str]) -> None:
    facts = _extract(tmp_path, body).facts
    for name in actors:
        assert _has_actor(facts, name), (name, facts["actors"])
    assert facts["affiliations"] == [], _brief(facts["affiliations"])


# -- designations --------------------------------------------------------------------


def _designations_of(facts: Facts, entity: str) -> list[Row]:
    return [r for r in facts["designations"] if _is(facts, r["entity"], entity)]


def test_dated_fto_designation(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "On June 3, 2019, the State Department designated al-Shabaab "
                               "as a Foreign Terrorist Organization.").facts
    rows = _designations_of(facts, "al-Shabaab")
    assert len(rows) == 1, _brief(facts["designations"])
    (row,) = rows
    assert _is(facts, row["authority"], "State Department"), row
    assert (row["status"], row["kind"], row["date"]) == ("designated", "terrorist",
                                                         "2019-06-03"), row
    assert len(facts["designations"]) == 1, _brief(facts["designations"])


def test_a_later_listing_takes_its_date_from_the_one_before(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "The State Department designated Kata'ib Hizballah in July "
                               "2009. The Treasury Department sanctioned the militia that "
                               "same month.").facts
    treasury = [d for d in facts["designations"] if _is(facts, d["authority"], "Treasury")]
    assert treasury, _brief(facts["designations"])
    assert all(d["date"] == "2009-07" for d in treasury), _brief(treasury)
    assert all(_is(facts, d["entity"], "Hizballah") for d in treasury), _brief(treasury)


def test_what_a_listing_does_in_general_is_no_listing(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "Al-Shabaab is an armed group in Somalia. An FTO designation "
                               "authorizes the Treasury Department to impose sanctions on the "
                               "group.").facts
    assert _has_actor(facts, "al-Shabaab")
    assert not facts["designations"], _brief(facts["designations"])


def test_the_lister_is_the_office_not_its_department(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "The Treasury Department's Office of Foreign Assets Control "
                               "designated Qais al-Khazali.").facts
    rows = [d for d in facts["designations"] if _is(facts, d["entity"], "Khazali")]
    assert rows and all(_is(facts, d["authority"], "Foreign Assets Control") for d in rows), \
        _brief(facts["designations"])


def test_an_event_days_later_is_dated_from_the_one_before(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "A rocket attack killed an American contractor near Kirkuk "
                               "on December 27, 2019. Two days later, US aircraft struck "
                               "the facilities of Kata'ib Hizballah.").facts
    strikes = [e for e in _events(facts, "Attack") if _performed_by(facts, e, "United States")]
    assert strikes and strikes[0]["date"] == "2019-12-29", _brief(facts["events"])


def test_they_are_the_group_named_before(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "Al-Shabaab fighters are active in Somalia. They killed 67 "
                               "people at the Westgate mall in Nairobi in September 2013.").facts
    attacks = _events(facts, "Attack")
    assert any(_performed_by(facts, e, "al-Shabaab") for e in attacks), _brief(attacks)


def test_a_denied_or_possible_event_is_not_an_event(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "The Houthis did not attack the ship. Hamas could attack "
                               "Israel.").facts
    assert _has_actor(facts, "Houthis") and _has_actor(facts, "Hamas")
    assert not _events(facts, "Attack"), _brief(facts["events"])


def test_a_capital_that_acts_is_its_state_and_one_that_is_a_place_is_not(
    tmp_path: Path,
) -> None:
    facts = _extract(tmp_path, "After a rocket attack hit a base near Kirkuk on Friday, "
                               "Washington blamed Kata'ib Hizballah. In Baghdad, Hamas "
                               "officials met.").facts
    attacks = [e for e in _events(facts, "Attack") if _performed_by(facts, e, "Hizballah")]
    assert attacks, _brief(facts["events"])
    assert all(_is(facts, e["attributed_to"], "United States") for e in attacks), \
        _brief(attacks)
    assert not _has_actor(facts, "Iraq"), facts["actors"]


def test_background_clause_in_reported_speech_is_the_writers(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "Adel Abdul Mahdi said the agreement was breached after the "
                               "United States attacked a base in Qaim.").facts
    attacks = _events(facts, "Attack")
    assert attacks and all(e["attributed_to"] is None for e in attacks), _brief(attacks)


def test_what_an_official_confirms_is_the_writers_fact(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "Bill Urban confirmed that al-Shabaab attacked the base.").facts
    attacks = [e for e in _events(facts, "Attack") if _performed_by(facts, e, "al-Shabaab")]
    assert attacks and all(e["attributed_to"] is None for e in attacks), _brief(attacks)


def test_a_group_declaring_its_own_allegiance_is_on_record(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "Al-Shabaab announced that it had pledged allegiance to "
                               "al-Qaeda.").facts
    rows = [r for r in facts["affiliations"]
            if _is_affiliation(facts, r, "al-Shabaab", "allied_with", "al-Qaeda")]
    assert rows and all(r["attributed_to"] is None for r in rows), _brief(facts["affiliations"])


def test_a_pressure_campaign_is_no_military_operation(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "Officials in Baghdad chafe at Washington's pressure "
                               "campaign.").facts
    assert not _events(facts, "MilitaryOperation"), _brief(facts["events"])


def test_designating_a_leader_does_not_designate_his_group(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "On January 31, 2018, the State Department designated Hamas "
                               "leader Ismail Haniyeh as a Specially Designated Global "
                               "Terrorist.").facts
    rows = _designations_of(facts, "Haniyeh")
    assert len(rows) == 1 and rows[0]["date"] == "2018-01-31", _brief(facts["designations"])
    assert _designations_of(facts, "Hamas") == [], _brief(facts["designations"])


def test_bill_proposing_sanctions_is_proposed(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "Congress introduced a bill to impose sanctions on the "
                               "Houthis.").facts
    rows = _designations_of(facts, "Houthis")
    assert rows, _brief(facts["designations"])
    assert {r["status"] for r in rows} == {"proposed"}, _brief(rows)
    assert all(_is(facts, r["authority"], "Congress") for r in rows), _brief(rows)


@pytest.mark.parametrize(("body", "entity"), [
    pytest.param("The Treasury Department lifted sanctions on the Wagner Group.", "Wagner",
                 id="lifted-sanctions"),
    pytest.param("President Biden revoked the designation of the Houthis.", "Houthis",
                 id="revoked-designation"),
    pytest.param("The Treasury Department removed the Wagner Group from its sanctions list.",
                 "Wagner", id="removed-from-list"),
])
def test_lifted_or_revoked_listing_is_revoked(tmp_path: Path, body: str, entity: str) -> None:
    facts = _extract(tmp_path, body).facts
    rows = _designations_of(facts, entity)
    assert rows, _brief(facts["designations"])
    # The text says the listing ended; it gives no date on which it began.
    assert {r["status"] for r in rows} == {"revoked"}, _brief(rows)


PRESS_RELEASE = dict(
    body="WASHINGTON - Boko Haram has been designated as a Specially Designated Global "
         "Terrorist.",
    published="2020-02-26",
    publisher="U.S. Department of State, Office of the Spokesperson",
)


def test_press_release_designation_is_dated_by_the_release(tmp_path: Path) -> None:
    facts = _extract(tmp_path, **PRESS_RELEASE).facts
    rows = _designations_of(facts, "Boko Haram")
    assert len(rows) == 1, _brief(facts["designations"])
    assert (rows[0]["status"], rows[0]["kind"], rows[0]["date"]) == (
        "designated", "terrorist", "2020-02-26"), _brief(rows)


def test_press_release_designation_names_its_publisher_as_authority(tmp_path: Path) -> None:
    """The release speaks for the State Department: that is who lists."""
    facts = _extract(tmp_path, **PRESS_RELEASE).facts
    rows = _designations_of(facts, "Boko Haram")
    assert rows, _brief(facts["designations"])
    for row in rows:
        assert row["authority"] is not None and "state" in row["authority"].casefold(), row


def test_negated_sanction_is_no_designation(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "Iran has not sanctioned Hezbollah.").facts
    assert _has_actor(facts, "Iran") and _has_actor(facts, "Hezbollah"), facts["actors"]
    assert facts["designations"] == [], _brief(facts["designations"])


# -- events --------------------------------------------------------------------------


def _events(facts: Facts, event_type: str) -> list[Row]:
    return [e for e in facts["events"] if e["type"] == event_type]


def test_attack_in_the_passive_has_place_and_weekday_date(tmp_path: Path) -> None:
    # Published on Monday 2019-12-30: "on Friday" is 2019-12-27.
    facts = _extract(tmp_path, "Rockets were fired at a base near Kirkuk on Friday.",
                     published="2019-12-30").facts
    attacks = _events(facts, "Attack")
    assert len(attacks) == 1, _brief(facts["events"])
    assert attacks[0]["place"] is not None and "kirkuk" in attacks[0]["place"].casefold()
    assert attacks[0]["date"] == "2019-12-27", _brief(attacks)


def test_attack_names_its_perpetrator(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "Al-Shabaab attacked a Turkish convoy near Mogadishu.").facts
    attacks = _events(facts, "Attack")
    assert attacks, _brief(facts["events"])
    assert any(_performed_by(facts, e, "al-Shabaab") for e in attacks), _brief(attacks)


def test_backer_of_the_attacker_is_not_a_perpetrator(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "The Houthis, an Iran-backed militia, fired missiles at a "
                               "Saudi airport.").facts
    attacks = _events(facts, "Attack")
    assert any(_performed_by(facts, e, "Houthis") for e in attacks), _brief(facts["events"])
    assert not any(_performed_by(facts, e, "Iran") for e in attacks), _brief(attacks)


VISIT = "Mike Pompeo visited Baghdad on May 7, 2019."


def test_visit_has_visitor_and_date(tmp_path: Path) -> None:
    facts = _extract(tmp_path, VISIT).facts
    visits = _events(facts, "Visit")
    assert len(visits) == 1, _brief(facts["events"])
    assert any(_is(facts, a, "Pompeo") for a in _participants(visits[0], "visitor")), \
        _brief(visits)
    assert visits[0]["date"] == "2019-05-07", _brief(visits)


def test_visit_has_its_place(tmp_path: Path) -> None:
    facts = _extract(tmp_path, VISIT).facts
    visits = _events(facts, "Visit")
    assert visits, _brief(facts["events"])
    assert visits[0]["place"] is not None and "baghdad" in visits[0]["place"].casefold(), \
        _brief(visits)


@pytest.mark.parametrize("body", [
    pytest.param("Hezbollah fielded candidates across Lebanon. The party won 15 seats in last "
                 "year's elections.", id="the-party-refers-back"),
    pytest.param("Hezbollah won 15 seats in last year's elections.", id="named-winner"),
])
def test_election_last_year_is_dated_from_the_publication(tmp_path: Path, body: str) -> None:
    facts = _extract(tmp_path, body, published="2019-06-12").facts
    elections = _events(facts, "Election")
    assert len(elections) == 1, _brief(facts["events"])
    assert elections[0]["date"] == "2018", _brief(elections)


def _only(facts: Facts, event_type: str) -> Row:
    rows = _events(facts, event_type)
    assert len(rows) == 1, _brief(facts["events"])
    return rows[0]


def _in_role(facts: Facts, event: Row, role: str, actor: str) -> bool:
    return any(_is(facts, name, actor) for name in _participants(event, role))


def test_what_a_law_makes_of_an_actor_is_its_subject(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "A 2017 law made Hezbollah a lawful party.").facts
    law = _only(facts, "Legislation")
    assert law["date"] == "2017" and _in_role(facts, law, "subject", "Hezbollah"), _brief([law])


def test_a_joined_verb_shares_the_subject(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "The Houthis seized the port and attacked a Saudi "
                               "tanker.").facts
    assert any(_performed_by(facts, e, "Houthis") for e in _events(facts, "Attack")), \
        _brief(facts["events"])


def test_a_named_battle_is_an_operation_with_the_place_of_its_verb(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "Hezbollah took part in the Battle of Qusayr in Syria in "
                               "2013.").facts
    battle = _only(facts, "MilitaryOperation")
    assert battle["place"] == "Syria" and battle["date"] == "2013", _brief([battle])


def test_a_visit_to_a_country_is_there_and_by_whoever_acts_during_it(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "Ismail Haniyeh met officials during a visit to Qatar in "
                               "May 2019.").facts
    visit = _only(facts, "Visit")
    assert visit["place"] == "Qatar" and visit["date"] == "2019-05", _brief([visit])
    assert _in_role(facts, visit, "visitor", "Haniyeh"), _brief([visit])


@pytest.mark.parametrize(("body", "actor"), [
    pytest.param("The parliament recalled its envoy as a protest against the Houthis.",
                 "Houthis", id="as-a-protest"),
    pytest.param("Grand Ayatollah Ali al-Sistani rallied young men to fight the Islamic "
                 "State.", "Sistani", id="rallied-others-to-act"),
])
def test_no_rally_where_nobody_rallies(tmp_path: Path, body: str, actor: str) -> None:
    facts = _extract(tmp_path, body).facts
    assert _has_actor(facts, actor), facts["actors"]
    assert not _events(facts, "Rally"), _brief(facts["events"])


def test_a_protest_of_strikes_is_a_rally_of_those_who_protest(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "Hundreds of Hamas supporters protested the strikes.").facts
    rally = _only(facts, "Rally")
    assert _in_role(facts, rally, "participant", "Hamas"), _brief([rally])


def test_the_attacks_told_before_keep_their_date(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "Rockets were fired at a base near Kirkuk in March 2020. "
                               "The attacks wounded two American soldiers.").facts
    attacks = _events(facts, "Attack")
    assert attacks and all(e["date"] == "2020-03" for e in attacks), _brief(attacks)
    assert any(_in_role(facts, e, "target", "United States") for e in attacks), \
        _brief(attacks)


def test_condemning_the_strike_is_no_second_strike(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "The United States struck a Kata'ib Hizballah base in Qaim "
                               "on December 29, 2019. In Baghdad, the prime minister "
                               "condemned the strike.").facts
    strike = _only(facts, "Attack")
    assert strike["date"] == "2019-12-29", _brief([strike])


def test_an_attack_under_a_condition_is_no_attack(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "Washington will lift the sanctions if the Houthis stop "
                               "their attacks.").facts
    assert _has_actor(facts, "Houthis"), facts["actors"]
    assert not _events(facts, "Attack"), _brief(facts["events"])


def test_days_later_is_the_month_of_the_date_before(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "The State Department designated Kata'ib Hizballah on March "
                               "10, 2020. Days later, the Iraqi parliament voted for a "
                               "resolution against the United States.").facts
    assert _only(facts, "Legislation")["date"] == "2020-03", _brief(facts["events"])


def test_the_recent_attack_is_of_the_publication_year(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "Al-Shabaab carried out the recent attack on a hotel in "
                               "Nairobi.", published="2019-01-20").facts
    attack = _only(facts, "Attack")
    assert attack["date"] == "2019" and _performed_by(facts, attack, "al-Shabaab"), \
        _brief([attack])


def test_a_second_object_with_its_own_date_is_a_second_attack(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "Boko Haram killed 30 villagers in Borno in May 2014, and "
                               "40 students in Yobe in February 2014.").facts
    attacks = _events(facts, "Attack")
    assert sorted(e["date"] for e in attacks) == ["2014-02", "2014-05"], _brief(attacks)
    assert all(_performed_by(facts, e, "Boko Haram") for e in attacks), _brief(attacks)


def test_who_joins_the_fight_against_a_group_fights_it(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "Kata'ib Hizballah joined the fight against the Islamic "
                               "State in 2014.").facts
    fight = _only(facts, "MilitaryOperation")
    assert _in_role(facts, fight, "combatant", "Hizballah"), _brief([fight])
    assert _in_role(facts, fight, "enemy", "Islamic State"), _brief([fight])


def test_an_anti_group_fight_is_against_the_group(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "The Popular Mobilization Forces lost hundreds of men in "
                               "the anti-ISIS fight.").facts
    fight = _only(facts, "MilitaryOperation")
    assert _participants(fight, "enemy") and not _participants(fight, "combatant"), \
        _brief([fight])


def test_elements_of_a_group_make_it_the_perpetrator(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "Elements of the Popular Mobilization Forces attacked "
                               "protesters in Baghdad in October 2019.").facts
    attack = _only(facts, "Attack")
    assert _performed_by(facts, attack, "Popular Mobilization"), _brief([attack])


# -- attribution ---------------------------------------------------------------------


def test_reporting_verb_after_the_clause_attributes_the_event(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "Hamas carried out the attack, the Pentagon said.").facts
    attacks = [e for e in _events(facts, "Attack") if _performed_by(facts, e, "Hamas")]
    assert attacks, _brief(facts["events"])
    for attack in attacks:
        speaker = attack["attributed_to"]
        assert speaker is not None and not _is(facts, speaker, "Hamas"), attack
        assert _is(facts, speaker, "Pentagon") or _is(facts, speaker, "Defense"), attack


SUPPORT = [
    pytest.param("Hezbollah receives funds from Iran.", "Hezbollah", id="funds"),
    pytest.param("The Houthis receive weapons and training from Iran.", "Houthis",
                 id="weapons-and-training"),
]


def _support_from_iran(facts: Facts, group: str) -> list[Row]:
    return [r for r in facts["affiliations"]
            if _is_affiliation(facts, r, group, "supported_by", "Iran")]


@pytest.mark.parametrize(("clause", "group"), SUPPORT)
def test_according_to_attributes_the_claim(tmp_path: Path, clause: str, group: str) -> None:
    # Only a leading article loses its capital: names keep theirs.
    body = "According to the Treasury Department, " + (
        "the " + clause[4:] if clause.startswith("The ") else clause)
    facts = _extract(tmp_path, body).facts
    rows = _support_from_iran(facts, group)
    assert rows, _brief(facts["affiliations"])
    assert all(_is(facts, r["attributed_to"], "Treasury") for r in rows), _brief(rows)


@pytest.mark.parametrize(("clause", "group"), SUPPORT)
def test_the_writers_own_statement_has_no_speaker(tmp_path: Path, clause: str,
                                                  group: str) -> None:
    facts = _extract(tmp_path, clause).facts
    rows = _support_from_iran(facts, group)
    assert rows, _brief(facts["affiliations"])
    assert all(r["attributed_to"] is None for r in rows), _brief(rows)


def test_contradicting_speakers_each_keep_their_claim(tmp_path: Path) -> None:
    facts = _extract(tmp_path, "Israel said Hamas led the attack. Qatar denied that Hamas "
                               "led the attack.").facts
    attacks = [e for e in _events(facts, "Attack") if _performed_by(facts, e, "Hamas")]
    speakers = [e["attributed_to"] for e in attacks]
    assert any(_is(facts, s, "Israel") for s in speakers), _brief(facts["events"])
    assert any(_is(facts, s, "Qatar") for s in speakers), _brief(facts["events"])
    # Each claim cites its own sentence.
    for attack in attacks:
        speaker = "Israel" if _is(facts, attack["attributed_to"], "Israel") else "Qatar"
        assert attack["evidence"] and speaker in attack["evidence"], attack


# -- evidence and validation, over every text above -----------------------------------

CLAIM_TYPES = (KG.Affiliation, KG.Designation, *EVENT_TYPES)


def _all_texts() -> list[str]:
    texts = [str(p.values[0]) for p in AFFILIATIONS + NO_AFFILIATION + SUPPORT]
    texts += [
        "On June 3, 2019, the State Department designated al-Shabaab as a Foreign Terrorist "
        "Organization.",
        "Congress introduced a bill to impose sanctions on the Houthis.",
        "The Treasury Department lifted sanctions on the Wagner Group.",
        "President Biden revoked the designation of the Houthis.",
        str(PRESS_RELEASE["body"]),
        "Iran has not sanctioned Hezbollah.",
        "Rockets were fired at a base near Kirkuk on Friday.",
        "Al-Shabaab attacked a Turkish convoy near Mogadishu.",
        "The Houthis, an Iran-backed militia, fired missiles at a Saudi airport.",
        VISIT,
        "Hezbollah won 15 seats in last year's elections.",
        "Hamas carried out the attack, the Pentagon said.",
        "According to the Treasury Department, the Houthis receive weapons and training "
        "from Iran.",
        "Israel said Hamas led the attack. Qatar denied that Hamas led the attack.",
    ]
    return texts


RELEASE_TEXTS = [
    str(PRESS_RELEASE["body"]),
    "The Amniyat is al-Shabaab's intelligence wing, according to the Treasury Department.",
    "Today the Department also designated Hamas leader Ismail Haniyeh as a Specially "
    "Designated Global Terrorist.",
]


@pytest.mark.parametrize(("texts", "publisher", "min_claims"), [
    pytest.param(_all_texts(), "kg test desk", 20, id="all-texts-above"),
    pytest.param(RELEASE_TEXTS, str(PRESS_RELEASE["publisher"]), 3, id="press-release"),
])
def test_every_claim_cites_evidence_at_its_offsets_and_validates(
    tmp_path: Path, texts: list[str], publisher: str, min_claims: int
) -> None:
    """The texts as one article, with typographic quotes and dashes, so that an offset
    counted in bytes or over a normalised text would show."""
    body = "\n\n".join(t.replace("'s ", "\u2019s ").replace(" - ", " \u2014 ") for t in texts)
    extracted = _extract(tmp_path, body, published="2020-02-26", publisher=publisher)
    graph, text = extracted.graph, extracted.text
    claims = {c for t in CLAIM_TYPES for c in graph.subjects(RDF.type, t)}
    assert len(claims) >= min_claims, len(claims)
    for claim in claims:
        evidence = list(graph.objects(claim, KG.evidence))
        assert evidence, f"{claim} has no evidence"
        for ev in evidence:
            start, end = graph.value(ev, KG.startOffset), graph.value(ev, KG.endOffset)
            quote = graph.value(ev, KG.quote)
            assert isinstance(start, Literal) and isinstance(end, Literal), ev
            assert isinstance(quote, Literal) and str(quote), ev
            assert 0 <= int(start) < int(end) <= len(text), (ev, start, end)
            assert text[int(start):int(end)] == str(quote), (ev, start, end, str(quote))
    report = validate_graph(graph)
    assert report.conforms, "\n".join(str(v) for v in report.violations)
