"""Bad text through the `kg` command, as a user meets it: bodies with no sentence in them,
a very long article, text in other languages, mojibake, and names full of the characters
that RDF syntaxes escape. Each must end in a clear message or a (possibly empty) result,
never a crash, and must leave the store valid; one bad document in a build must not touch
the others.

Exit codes are the CLI's (kg/cli.py): 0 ok, 1 some output quarantined, 2 an input could
not be read (the rest was still built), 3 internal error. Inputs are written here, in
tmp_path; no file of the corpus is used.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from kg import namespace
from kg.documents import read_document
from kg.identity import document_iri
from kg.store import KGStore

from .conftest import build_summary, error_lines, run_kg

KG, PROV, DCTERMS = namespace.KG, namespace.PROV, namespace.DCTERMS
Term = tuple[str, ...]
Quad = tuple[Term, Term, Term, Term | None]


# -- helpers -------------------------------------------------------------------------


def _article(folder: Path, name: str, body: str, *, title: str = "A test article",
             published: str = "2021-03-15") -> Path:
    """An article in the header format, with a URL of its own."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(
        f"url: https://w3id.org/kg/test/bad-text/{path.stem}\n"
        f"title: {title}\n"
        "publisher: kg test desk\n"
        f"published: {published}\n"
        "---\n"
        f"{body}\n",
        encoding="utf-8",
    )
    return path


def _no_crash(run: subprocess.CompletedProcess[str]) -> None:
    assert run.returncode != 3, run.stderr
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr


def _facts(run: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    _no_crash(run)
    assert run.returncode == 0, run.stderr
    facts: dict[str, Any] = json.loads(run.stdout)
    return facts




def _build(store: Path, *paths: Path) -> subprocess.CompletedProcess[str]:
    run = run_kg("build", *map(str, paths), "--store", str(store), "-q")
    _no_crash(run)
    return run


def _validate_store(store: Path) -> None:
    run = run_kg("validate", "--store", str(store))
    _no_crash(run)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "violations" not in run.stdout, run.stdout


def _iri(path: Path) -> str:
    doc = read_document(path)
    return str(document_iri(doc.url, doc.content_hash))


def _stored_graph(store: Path, path: Path) -> Graph:
    """The stored graph of the document read from `path`, without its extraction time
    (the one thing two builds of one document may differ in)."""
    kg = KGStore(store, read_only=True)
    try:
        assert _iri(path) in kg.document_graphs(), (path.name, kg.document_graphs())
        graph = kg.document_graph(_iri(path))
    finally:
        del kg
    graph.remove((None, PROV.endedAtTime, None))
    return graph


def _assert_evidence_indexes(graph: Graph, text: str) -> None:
    for ev in graph.subjects(namespace.RDF.type, KG.Evidence):
        start, end = graph.value(ev, KG.startOffset), graph.value(ev, KG.endOffset)
        assert isinstance(start, Literal) and isinstance(end, Literal), ev
        assert text[int(start):int(end)] == str(graph.value(ev, KG.quote)), ev


EMPTY_FACTS: dict[str, list[Any]] = {
    "actors": [], "affiliations": [], "designations": [], "events": []}


def _claims_and_actors(facts: dict[str, Any]) -> dict[str, Any]:
    return {k: facts[k] for k in EMPTY_FACTS}


# -- bodies with no sentence -----------------------------------------------------------

NO_SENTENCES = {
    "punctuation.txt": "... !!! ??? ;;; ,,, ((( ))) *** --- ::: \"\" '' [] {}",
    "numbers.txt": "12 345 6789 0.5 42\n\n2019 2020 -7 +3 1,000,000 3.14159",
    "symbols.txt": "\u2605 \u2605 \u2605 \u2014 \u2026 \u00b7 \u2022 \u00b6 \u00a7 \u2192 "
                   "\u00a9 \U0001f4a5 \U0001f4a5",
    "one-letter-lines.txt": "a\nb\nc\n\nd\n-\n.",
}
WHITESPACE_BODY = "   \n\t\n  \u00a0 \n\n"


@pytest.fixture(scope="module")
def sentenceless(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sentenceless")
    for name, body in NO_SENTENCES.items():
        _article(folder, name, body)
    # Plain text without a header, only punctuation.
    (folder / "plain-punctuation.txt").write_text("?!?!\n...\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("name", [*NO_SENTENCES, "plain-punctuation.txt"])
def test_body_without_sentences_extracts_to_nothing(sentenceless: Path, name: str) -> None:
    run = run_kg("extract", str(sentenceless / name))
    facts = _facts(run)
    assert _claims_and_actors(facts) == EMPTY_FACTS, facts
    if name == "plain-punctuation.txt":
        assert "no header" in run.stderr, run.stderr


def test_body_of_only_whitespace_is_refused_with_a_message(tmp_path: Path) -> None:
    path = _article(tmp_path, "whitespace.txt", WHITESPACE_BODY)
    run = run_kg("extract", str(path))
    _no_crash(run)
    assert run.returncode == 2, run.stderr
    assert error_lines(run.stderr) == {str(path): "the header is followed by no text"}, run.stderr
    assert run.stdout == ""


def test_build_of_bodies_without_sentences(sentenceless: Path, tmp_path: Path) -> None:
    whitespace = _article(tmp_path / "more", "whitespace.txt", WHITESPACE_BODY)
    store = tmp_path / "kg-data"
    run = _build(store, sentenceless, whitespace)
    assert run.returncode == 2, run.stderr  # one input could not be read
    assert error_lines(run.stderr) == {str(whitespace): "the header is followed by no text"}
    assert build_summary(run.stdout) == (
        "read 6 inputs: 5 stored, 0 unchanged, 1 failed, 0 with quarantined output")
    kg = KGStore(store, read_only=True)
    assert len(kg.document_graphs()) == 5
    del kg
    _validate_store(store)


# -- a very long article -------------------------------------------------------------

LONG_SENTENCES = [
    "Hassan Nasrallah, the secretary general of Hezbollah, gave a speech in Beirut on "
    "Sunday.",
    "The Houthis receive weapons and training from Iran.",
    "Al-Shabaab attacked a Turkish convoy near Mogadishu.",
    "On June 3, 2019, the State Department designated al-Shabaab as a Foreign Terrorist "
    "Organization.",
    "Boko Haram waged an insurgency led by Abubakar Shekau in northeastern Nigeria.",
    "The Haqqani network has close ties to al-Qaeda.",
    "Residents said the market reopened after the rains and the price of flour fell again.",
    "Farmers in the valley complained that the new road had still not been finished.",
    "Mike Pompeo visited Baghdad on May 7, 2019.",
    "Analysts expect the talks to continue for several more weeks, officials said.",
    "Schools in the district stayed closed for a third day because of flooding.",
    "The governor promised that the bridge would be repaired before the winter.",
]
LONG_WORDS = 100_000


def _long_body() -> str:
    """About LONG_WORDS words: paragraphs of five sentences, each paragraph starting three
    sentences further on, so that neighbouring paragraphs differ."""
    paragraphs, words, i = [], 0, 0
    n = len(LONG_SENTENCES)
    while words < LONG_WORDS:
        paragraph = " ".join(LONG_SENTENCES[(i + k) % n] for k in range(5))
        paragraphs.append(paragraph)
        words += len(paragraph.split())
        i += 3
    return "\n\n".join(paragraphs)


@pytest.mark.slow
def test_long_article_extracts(tmp_path: Path) -> None:
    body = _long_body()
    assert len(body.split()) >= LONG_WORDS
    path = _article(tmp_path, "long.txt", body, published="2020-01-06")
    facts = _facts(run_kg("extract", str(path), timeout=900))

    def has_affiliation(member: str, kind: str, organization: str) -> bool:
        return any(r["kind"] == kind and member in str(r["member"])
                   and organization in str(r["organization"]) for r in facts["affiliations"])

    assert has_affiliation("Nasrallah", "leader", "Hezbollah"), facts["affiliations"]
    assert has_affiliation("Houthis", "supported_by", "Iran"), facts["affiliations"]
    assert has_affiliation("Shekau", "leader", "Boko Haram"), facts["affiliations"]
    assert any(r["status"] == "designated" and r["date"] == "2019-06-03"
               and "shabaab" in str(r["entity"]).lower()
               for r in facts["designations"]), facts["designations"]
    types = {e["type"] for e in facts["events"]}
    assert {"Attack", "Visit"} <= types, types
    # Repeated sentences say nothing new: the same few actors, not one per paragraph.
    assert 5 <= len(facts["actors"]) <= 30, [a["name"] for a in facts["actors"]]


# -- other languages -----------------------------------------------------------------

NON_ENGLISH = {
    "french.txt": (
        "Attaque pr\u00e8s de Gao",
        "Le groupe arm\u00e9 a attaqu\u00e9 un convoi de l'arm\u00e9e malienne pr\u00e8s de "
        "Gao vendredi, selon des sources locales. Les autorit\u00e9s ont d\u00e9clar\u00e9 "
        "que les assaillants avaient \u00e9t\u00e9 repouss\u00e9s apr\u00e8s deux heures de "
        "combats. Le gouvernement a annonc\u00e9 un deuil national de trois jours.\n\n"
        "Le ministre de la D\u00e9fense s'est rendu \u00e0 Gao samedi pour rencontrer les "
        "bless\u00e9s.",
    ),
    "arabic.txt": (
        "\u0647\u062c\u0648\u0645 \u0639\u0644\u0649 \u0642\u0627\u0641\u0644\u0629",
        "\u0647\u0627\u062c\u0645\u062a \u062c\u0645\u0627\u0639\u0629 \u0645\u0633\u0644"
        "\u062d\u0629 \u0642\u0627\u0641\u0644\u0629 \u0639\u0633\u0643\u0631\u064a\u0629 "
        "\u0642\u0631\u0628 \u0645\u062f\u064a\u0646\u0629 \u0627\u0644\u0645\u0648\u0635"
        "\u0644 \u064a\u0648\u0645 \u0627\u0644\u062c\u0645\u0639\u0629\u060c \u0648\u0641"
        "\u0642 \u0645\u0635\u0627\u062f\u0631 \u0623\u0645\u0646\u064a\u0629. \u0648\u0642"
        "\u0627\u0644 \u0627\u0644\u0645\u062a\u062d\u062f\u062b \u0628\u0627\u0633\u0645 "
        "\u0648\u0632\u0627\u0631\u0629 \u0627\u0644\u062f\u0627\u062e\u0644\u064a\u0629 "
        "\u0625\u0646 \u0627\u0644\u0645\u0647\u0627\u062c\u0645\u064a\u0646 \u0641\u0631"
        "\u0648\u0627 \u0628\u0639\u062f \u0627\u0634\u062a\u0628\u0627\u0643 \u0627\u0633"
        "\u062a\u0645\u0631 \u0633\u0627\u0639\u062a\u064a\u0646.\n\n\u0648\u0623\u0639\u0644"
        "\u0646\u062a \u0627\u0644\u062d\u0643\u0648\u0645\u0629 \u0627\u0644\u062d\u062f"
        "\u0627\u062f \u0644\u0645\u062f\u0629 \u062b\u0644\u0627\u062b\u0629 \u0623\u064a"
        "\u0627\u0645.",
    ),
    "chinese.txt": (
        "\u8f66\u961f\u9047\u88ad",
        "\u661f\u671f\u4e94\uff0c\u4e00\u652f\u6b66\u88c5\u56e2\u4f53\u5728\u8fb9\u5883\u9644"
        "\u8fd1\u88ad\u51fb\u4e86\u4e00\u652f\u519b\u8f66\u961f\u3002\u5f53\u5730\u5b98\u5458"
        "\u8868\u793a\uff0c\u88ad\u51fb\u8005\u5728\u4ea4\u706b\u4e24\u5c0f\u65f6\u540e\u9003"
        "\u79bb\u3002\u653f\u5e9c\u5ba3\u5e03\u5168\u56fd\u54c0\u60bc\u4e09\u5929\u3002\n\n"
        "\u56fd\u9632\u90e8\u957f\u661f\u671f\u516d\u8bbf\u95ee\u4e86\u8be5\u5730\u533a\uff0c"
        "\u770b\u671b\u4f24\u5458\u3002",
    ),
}


@pytest.fixture(scope="module")
def non_english(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("non-english")
    for name, (title, body) in NON_ENGLISH.items():
        _article(folder, name, body, title=title)
    return folder


@pytest.mark.parametrize("name", sorted(NON_ENGLISH))
def test_non_english_text_invents_no_facts(non_english: Path, name: str) -> None:
    """The texts name no actor (only places, a ministry and "an armed group"): an English
    model reading them must not make up actors or claims."""
    facts = _facts(run_kg("extract", str(non_english / name)))
    assert facts["designations"] == [] and facts["affiliations"] == [], facts
    assert facts["events"] == [], facts["events"]
    assert facts["actors"] == [], facts["actors"]


def test_non_english_documents_are_stored(non_english: Path, tmp_path: Path) -> None:
    store = tmp_path / "kg-data"
    run = _build(store, non_english)
    assert run.returncode == 0, run.stderr
    assert build_summary(run.stdout) == (
        "read 3 inputs: 3 stored, 0 unchanged, 0 failed, 0 with quarantined output")
    for name, (title, _) in NON_ENGLISH.items():
        graph = _stored_graph(store, non_english / name)
        assert {str(t) for t in graph.objects(None, DCTERMS.title)} == {title}, name
    _validate_store(store)


# -- mojibake ------------------------------------------------------------------------

CLEAN = ("Kata\u2019ib Hizballah and Asa\u2019ib Ahl al-Haq \u2014 both backed by Iran "
         "\u2014 attacked a base near Baghdad, said Abu Mahdi al\u2011Muhandis. "
         "R\u00e9sum\u00e9: \u201cquoted\u201d.")


def _cp1252(text: str) -> str:
    """UTF-8 bytes read as Windows-1252 (undefined bytes become U+FFFD)."""
    return text.encode("utf-8").decode("cp1252", errors="replace")


MOJIBAKE = {
    "cp1252-once.txt": _cp1252(CLEAN),  # Kataâ€™ib
    "cp1252-twice.txt": _cp1252(_cp1252(CLEAN)),  # KataÃ¢â‚¬â„¢ib
    # Latin-1 keeps the C1 control characters (U+0080 to U+009F).
    "latin1.txt": CLEAN.encode("utf-8").decode("latin-1"),
}


def test_mojibake_texts_are_distinct_and_odd() -> None:
    assert "Kata\u00c3\u00a2\u00e2\u201a\u00ac\u00e2\u201e\u00a2ib" in \
        MOJIBAKE["cp1252-twice.txt"]
    assert any(0x80 <= ord(c) <= 0x9F for c in MOJIBAKE["latin1.txt"])


def test_mojibake_is_extracted_and_stored_as_written(tmp_path: Path) -> None:
    folder = tmp_path / "mojibake"
    paths = [_article(folder, name, body) for name, body in MOJIBAKE.items()]
    for path in paths:
        _facts(run_kg("extract", str(path)))
    store = tmp_path / "kg-data"
    run = _build(store, folder)
    assert run.returncode == 0, run.stderr
    assert build_summary(run.stdout) == (
        "read 3 inputs: 3 stored, 0 unchanged, 0 failed, 0 with quarantined output")
    for path in paths:
        graph = _stored_graph(store, path)
        # The text is kept as written: evidence offsets index it, odd characters and all.
        _assert_evidence_indexes(graph, read_document(path).text)
    _validate_store(store)


# -- names full of syntax ------------------------------------------------------------

AWKWARD_TITLE = 'Brigade of "Free" {Men} \\ C:\\new\\u0041 """triple""" }{ <b>&amp;</b>'
AWKWARD_BODY = (
    'Fighters of the Brigade of "Free" {Men} attacked a checkpoint near Mosul on Friday, '
    "the Pentagon said.\n\n"
    'Abu "the Hammer" al-Iraqi, a senior commander of the Brigade of "Free" {Men}, denied '
    "it.\n"
    "The group [Saraya Awliya al-Dam] said in a statement that its leader, Hassan \\ "
    'Hamza}, "welcomed" the attack.\n'
    'The Movement of {the Righteous}" is an Iran-backed militia.\n'
    'Kata\'ib "Hizballah\n" fired rockets at C:\\Bases\\new and at \\u0041l-Asad.\n'
    "The {{Lions}} of \"\"\"Tawhid\"\"\" and the <Brigade> of 'Ali' met \\\\ twice.\n"
)
SYNTAX_CHARACTERS = ['"', "{", "}", "\\", "<", ">", "&", "\n"]


def _rdflib_term(term: Node) -> Term:
    if isinstance(term, URIRef):
        return ("iri", str(term))
    if isinstance(term, Literal):
        datatype = "" if term.language else str(term.datatype or namespace.XSD.string)
        return ("literal", str(term), datatype, (term.language or "").lower())
    pytest.fail(f"unexpected term {term!r} (kg mints no blank nodes)")


def _ox_term(term: object) -> Term:
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.Literal):
        datatype = "" if term.language else term.datatype.value
        return ("literal", term.value, datatype, (term.language or "").lower())
    pytest.fail(f"unexpected term {term!r} (kg mints no blank nodes)")


def _ox_quads(quads: Any) -> set[Quad]:
    return {(_ox_term(q.subject), _ox_term(q.predicate), _ox_term(q.object),
             None if isinstance(q.graph_name, ox.DefaultGraph) else _ox_term(q.graph_name))
            for q in quads}


@pytest.fixture
def lexical_forms_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """rdflib parses literals without normalising their lexical forms."""
    monkeypatch.setattr(rdflib, "NORMALIZE_LITERALS", False)


@pytest.mark.usefixtures("lexical_forms_as_written")
def test_names_full_of_syntax_survive_store_and_export(tmp_path: Path) -> None:
    path = _article(tmp_path / "in", "awkward.txt", AWKWARD_BODY, title=AWKWARD_TITLE)
    extracted = _facts(run_kg("extract", str(path)))
    assert extracted["actors"], "no actor found in the awkward text"
    store = tmp_path / "kg-data"
    run = _build(store, path)
    assert run.returncode == 0, run.stderr
    assert build_summary(run.stdout) == (
        "read 1 inputs: 1 stored, 0 unchanged, 0 failed, 0 with quarantined output")
    _validate_store(store)

    graph = _stored_graph(store, path)
    assert {str(t) for t in graph.objects(None, DCTERMS.title)} == {AWKWARD_TITLE}
    _assert_evidence_indexes(graph, read_document(path).text)

    kg = KGStore(store, read_only=True)
    expected = _ox_quads(kg.quads())
    del kg
    nq = tmp_path / "kg.nq"
    export = run_kg("export", "--format", "nq", "--out", str(nq), "--store", str(store))
    _no_crash(export)
    assert export.returncode == 0, export.stderr

    # rdflib reads back exactly the store's quads.
    dataset = Dataset()
    dataset.parse(nq, format="nquads")
    got = {(_rdflib_term(s), _rdflib_term(p), _rdflib_term(o),
            None if g is None or g == DATASET_DEFAULT_GRAPH_ID else _rdflib_term(g))
           for s, p, o, g in dataset.quads()}
    assert got == expected, (sorted(map(str, expected - got))[:5],
                             sorted(map(str, got - expected))[:5])
    literals = {t[1] for q in got for t in q[:3] if t[0] == "literal"}
    for char in SYNTAX_CHARACTERS:  # the test exercises every escape
        assert any(char in lit for lit in literals), repr(char)
    assert AWKWARD_TITLE in literals

    # pyoxigraph reads it back too, and so does `kg validate`.
    assert _ox_quads(ox.parse(path=str(nq), format=ox.RdfFormat.N_QUADS)) == expected
    check = run_kg("validate", str(nq))
    _no_crash(check)
    assert check.returncode == 0, check.stdout + check.stderr


# -- one bad document among good ones --------------------------------------------------

GOOD = {
    "houthis.txt": (
        "The Houthis, an Iran-backed militia, fired missiles at a Saudi airport on Friday. "
        "Abdul-Malik al-Houthi, the leader of the Houthis, said the strikes would go on. "
        "On January 10, 2021, the State Department designated the Houthis as a Foreign "
        "Terrorist Organization."
    ),
    "al-shabaab.txt": (
        "Ahmed Diriye, a senior commander of al-Shabaab, was seen in Kismayo last week. "
        "Al-Shabaab attacked a Turkish convoy near Mogadishu. The Amniyat is al-Shabaab's "
        "intelligence wing, according to Somali officials."
    ),
}


def _bad_inputs(folder: Path) -> dict[str, str | None]:
    """Bad files beside the good ones: each name with the error the build must report, or
    None for one that must be stored although it is odd."""
    _article(folder, "whitespace.txt", WHITESPACE_BODY)
    _article(folder, "punctuation.txt", NO_SENTENCES["punctuation.txt"])
    _article(folder, "mojibake.txt", MOJIBAKE["cp1252-twice.txt"])
    _article(folder, "awkward.txt", AWKWARD_BODY, title=AWKWARD_TITLE)
    (folder / "broken-header.txt").write_text(
        "url: https://w3id.org/kg/test/bad-text/broken-header\npublished: 2021-13-45\n---\n"
        "Hamas leader Ismail Haniyeh spoke in Doha.\n", encoding="utf-8")
    (folder / "latin1-bytes.txt").write_bytes(
        "url: https://w3id.org/kg/test/bad-text/latin1\n---\nKata'ib r\u00e9fugi\u00e9s\n"
        .encode("latin-1"))
    return {
        "whitespace.txt": "the header is followed by no text",
        "broken-header.txt": "broken header: published",
        "latin1-bytes.txt": "not valid UTF-8",
        "punctuation.txt": None,
        "mojibake.txt": None,
        "awkward.txt": None,
    }


def test_bad_documents_leave_the_good_ones_intact(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    good = [_article(folder, name, body, published="2021-01-18") for name, body in GOOD.items()]
    bad = _bad_inputs(folder)
    store = tmp_path / "kg-data"
    run = _build(store, folder)
    assert run.returncode == 2, run.stderr  # some inputs could not be read
    errors = error_lines(run.stderr)
    expected_errors = {str(folder / n): e for n, e in bad.items() if e is not None}
    assert set(errors) == set(expected_errors), run.stderr
    for name, problem in expected_errors.items():
        assert errors[name].startswith(problem), (name, errors[name])
    stored = len(GOOD) + sum(e is None for e in bad.values())
    assert build_summary(run.stdout) == (
        f"read {len(GOOD) + len(bad)} inputs: {stored} stored, 0 unchanged, "
        f"{len(expected_errors)} failed, 0 with quarantined output")
    _validate_store(store)

    # Each good document's graph is what a build of it alone stores.
    for path in good:
        alone = tmp_path / f"alone-{path.stem}"
        solo = _build(alone, path)
        assert solo.returncode == 0, solo.stderr
        mixed_graph, solo_graph = _stored_graph(store, path), _stored_graph(alone, path)
        assert len(mixed_graph) > 50, len(mixed_graph)
        assert set(mixed_graph) == set(solo_graph), path.name
        assert any(mixed_graph.subjects(namespace.RDF.type, KG.Affiliation)), path.name
