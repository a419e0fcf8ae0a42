"""What a list reader returns: one version of one official list, its entries as the list
states them, and the records it could not read.

Readers know file formats and nothing of RDF; `kg.lists.triples` knows RDF and nothing of
formats. A new list format is a new reader returning these objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The kinds of listed subject a reader reports. Vessels and aircraft are listed too, but
# they are property, not actors: they are counted and left out of the graph.
PERSON = "person"
GROUP = "group"
PROPERTY_KINDS = frozenset({"vessel", "aircraft"})


@dataclass(frozen=True)
class ListSource:
    """Which list a file is a version of: its key, title and the body that publishes it."""

    key: str  # "ofac-sdn", "un-consolidated", "us-dos-fto"
    title: str  # "OFAC Specially Designated Nationals and Blocked Persons List"
    publisher: str  # the publishing body's label in the gazetteer


@dataclass
class Entry:
    """One record of a list: a listed person or group with what the list says of it.

    Names are as the list writes them (OFAC's capitals included); casing them is the
    triples stage's work, because it needs the acronyms of the whole list.
    """

    record_id: str  # OFAC ent_num, UN DATAID, FTO row number
    name: str
    kind: str  # PERSON, GROUP, or a PROPERTY_KINDS value
    programs: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    reference: str | None = None  # the list's citable number (UN QDe.115; OFAC ent_num)
    listed_on: str | None = None  # ISO date, at the precision given
    delisted_on: str | None = None  # for lists that keep revoked entries
    birth_dates: list[str] = field(default_factory=list)  # ISO, at the precision given
    birth_places: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)  # country names as written
    remarks: str = ""
    start: int = 0  # the record's span in ListVersion.text: the evidence quote
    end: int = 0
    armed: bool = False  # whether the list marks it a terrorist or armed group


@dataclass(frozen=True)
class Problem:
    """A record (or line) that could not be read, and why; the rest of the list is."""

    where: str  # "line 12", "record 28283", "ENTITY 3"
    problem: str
    # Whether an entry (or a part of the file) was lost: a version that lost any is
    # incomplete, and what it lacks is not taken for a delisting.
    lost: bool = True


@dataclass
class ListVersion:
    """One file (or set of companion files) of a list as published on one date."""

    source: ListSource
    path: str
    text: str  # what evidence offsets index: the main file's text
    version_date: str | None  # ISO date the list was published, if the file says
    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    url: str | None = None
    skipped_property: int = 0  # vessels and aircraft, not actors
    companion_text: str = ""  # files read with the main one (OFAC's alt.csv), for the hash

    @property
    def complete(self) -> bool:
        """Whether every entry of the file was read: only a complete version can show
        that an entry has left the list."""
        return not any(p.lost for p in self.problems)
