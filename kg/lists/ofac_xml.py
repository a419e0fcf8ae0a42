"""OFAC's legacy SDN list as XML (`sdn.xml`): the same list as `sdn.csv`, with the details
the CSV packs into its remarks field given as elements.

The structure, as confirmed before writing this reader:

* the document element is `sdnList`, in a default namespace that OFAC has changed over the
  years ("http://tempuri.org/sdnList.xsd" in the 2014 files; "https://sanctionslistservice.
  ofac.treas.gov/api/PublicationPreview/exports/XML" from the Sanctions List Service), so
  elements are matched by local name;
* `publshInformation` (sic) holds `Publish_Date` (MM/DD/YYYY) and `Record_Count`, then come
  the `sdnEntry` elements;
* an `sdnEntry` holds, in this order, `uid`, `firstName` (optional), `lastName`, `title`,
  `sdnType` (Entity, Individual, Vessel or Aircraft), `remarks`, `programList/program`,
  `idList/id`, `akaList/aka` (`uid`, `type` a.k.a./f.k.a./n.k.a., `category` strong/weak,
  `lastName`, `firstName`), `addressList/address`, `nationalityList/nationality/country`,
  `citizenshipList/citizenship/country`, `dateOfBirthList/dateOfBirthItem/dateOfBirth`
  ("20 Jun 1974", "1974", "circa 1976"), `placeOfBirthList/placeOfBirthItem/placeOfBirth`
  and `vesselInfo`; each list item also has `uid` and `mainEntry`.

Sources: the JAXB classes generated from OFAC's sdnList.xsd in GitHub `raghuadapa/OFAC`
(`src/main/java/ofac/SdnEntryType.java`, `AkaType.java`, `PublshInformationType.java`,
`DateOfBirthItemType.java`, `PlaceOfBirthItemType.java`, `CitizenshipType.java`, commit
bd51fcbb5395246b93293696877e51d44a1e7d3b), which give the element names, order and
enumerations; and excerpts of real files quoted in public test code (a 2014 `sdn.xml` in
the tempuri namespace with `standalone="yes"`, and 2026 Sanctions List Service exports in
the newer namespace), which agree with them. No `sdn.xml` is in ../shared/designations;
the tests read a hand-written file in this structure (tests/cases/lists/ofac-xml-sdn.xml).

OFAC's consolidated (non-SDN) list is published in the same format; this reader would read
it as the SDN list, since nothing in the file tells them apart.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from kg.lists.model import GROUP, PERSON, PROPERTY_KINDS, Entry, ListVersion, Problem
from kg.lists.ofac_csv import ARMED_WORDS, SOURCE, ofac_date
from kg.lists.un_xml import (
    XmlRecord,
    child,
    child_text,
    children,
    read_xml_records,
    texts,
    unique,
)

RECORD_TAGS = frozenset({"sdnEntry"})
_ROOT = re.compile(r"<(?:[\w.-]+:)?sdnList[\s/>]")
_KINDS = {"individual": PERSON, "entity": GROUP}


def looks_like_sdn_xml(head: str) -> bool:
    """Whether the start of a file reads as OFAC's sdn.xml (its document element)."""
    return bool(_ROOT.search(head))


def sdn_name(last: str, first: str) -> str:
    """"LAST, First" as sdn.csv writes people, so both formats name an entry alike."""
    return f"{last}, {first}" if last and first else last or first


def _publish_date(text: str) -> str | None:
    try:
        return dt.datetime.strptime(text, "%m/%d/%Y").date().isoformat()
    except ValueError:
        return None


def _entry(record: XmlRecord, version: ListVersion, seen: set[str]) -> Entry | None:
    """The entry a record states; None (with a Problem, or counted as property) if none."""
    element = record.element
    uid = child_text(element, "uid")
    last = child_text(element, "lastName")
    sdn_type = child_text(element, "sdnType").lower()
    if not uid.isdigit() or not last:
        version.problems.append(Problem(record.where, "no uid or no lastName; entry skipped"))
        return None
    if uid in seen:
        version.problems.append(Problem(record.where, "uid repeated; entry skipped"))
        return None
    seen.add(uid)
    if sdn_type in PROPERTY_KINDS:
        version.skipped_property += 1
        return None
    if sdn_type not in _KINDS:
        version.problems.append(Problem(record.where, f"unknown sdnType {sdn_type!r}; skipped"))
        return None
    name = sdn_name(last, child_text(element, "firstName"))
    entry = Entry(
        record_id=uid, name=name, kind=_KINDS[sdn_type],
        programs=texts(element, "programList", "program"), reference=uid,
        aliases=unique((sdn_name(child_text(aka, "lastName"), child_text(aka, "firstName"))
                        for aka in children(element, "akaList", "aka")), besides=name),
        birth_dates=unique(d for d in map(ofac_date, texts(
            element, "dateOfBirthList", "dateOfBirthItem", "dateOfBirth")) if d),
        birth_places=texts(element, "placeOfBirthList", "placeOfBirthItem", "placeOfBirth"),
        nationalities=unique([
            *texts(element, "nationalityList", "nationality", "country"),
            *texts(element, "citizenshipList", "citizenship", "country")]),
        remarks=child_text(element, "remarks"),
        start=record.start, end=record.end,
    )
    # The CSV reader's rule, so that both formats mark the same entities armed.
    entry.armed = entry.kind == GROUP and any(
        ARMED_WORDS.search(t) for t in (entry.name, *entry.aliases, entry.remarks))
    if not entry.programs:
        version.problems.append(Problem(record.where, "no program given; entry skipped"))
        return None
    return entry


def read_sdn_xml(path: Path, text: str) -> ListVersion:
    """Read sdn.xml (`text` is its content); the version date is its Publish_Date."""
    read = read_xml_records(text, RECORD_TAGS, key="uid")
    info = child(read.root, "publshInformation")
    version = ListVersion(SOURCE, str(path), text,
                          _publish_date(child_text(info, "Publish_Date")))
    version.problems.extend(read.problems)
    seen: set[str] = set()
    for record in read.records:
        entry = _entry(record, version, seen)
        if entry is not None:
            version.entries.append(entry)
    stated = child_text(info, "Record_Count")
    if stated.isdigit() and int(stated) != read.found:
        version.problems.append(Problem(
            "publshInformation",
            f"Record_Count {stated}, but the file holds {read.found} sdnEntry elements: it "
            f"may be cut short or edited"))
    return version
