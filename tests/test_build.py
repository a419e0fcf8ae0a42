"""Building the KG as a user does: a folder with good and bad files, rebuilds that change
nothing, edits that replace one document, builds killed midway and resumed, parallel
builds, and output that fails validation going to quarantine while the rest is kept.

The `kg` command runs in a subprocess where that is what a user does; the library is
called directly where a test needs to reach inside (a test extractor, a kill between
two writes). Stores are compared as sets of N-Quads; extraction times
(prov:endedAtTime) are the one thing a re-extraction may change.
"""

from __future__ import annotations

import gc
import re
import shutil
import signal
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef

from kg import namespace
from kg.build import build
from kg.cli import cli
from kg.documents import read_document
from kg.extract import REGISTRY, Context, extractor_versions, register
from kg.identity import document_iri, node_iri
from kg.provenance import Run, add_evidence
from kg.store import ONTOLOGY_GRAPH, KGStore

from .conftest import EXAMPLES, build_summary, error_lines, run_kg

KG, RDF, PROV = namespace.KG, namespace.RDF, namespace.PROV
ENDED = f"<{PROV.endedAtTime}>"
EXAMPLE_FILES = sorted(p for p in EXAMPLES.iterdir() if p.suffix in {".txt", ".html"})
EXAMPLE_LISTS = sorted((EXAMPLES / "lists").iterdir())
# Bad files beside the examples, and what the build must say about each.
BAD_FILES = {
    "empty.txt": "file is empty",
    "binary.txt": "binary file (contains NUL bytes), not a text or HTML document",
    "latin1.txt": "not valid UTF-8 (byte 0xe9 at offset 10)",
    "dangling.txt": "broken symbolic link: its target",
}


# -- helpers -------------------------------------------------------------------------


def _quads(store: Path | KGStore) -> set[str]:
    """The store's quads as N-Quads lines; a closed store is opened read-only."""
    if isinstance(store, KGStore):
        return {str(q) for q in store.db}
    db = ox.Store.read_only(str(store / "store"))
    try:
        return {str(q) for q in db}
    finally:
        del db


def _timeless(quads: set[str]) -> set[str]:
    return {q for q in quads if ENDED not in q}


def _by_graph(quads: set[str]) -> dict[str, set[str]]:
    graphs: dict[str, set[str]] = defaultdict(set)
    for q in quads:
        graphs[q.rsplit(" ", 1)[1]].add(q)
    return graphs




def _copy_store(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / "kg-data"
    shutil.copytree(source, target)
    return target


def _documents(store: KGStore) -> list[str]:
    return sorted(str(r["d"].value) for r in store.select(
        "SELECT ?d WHERE { ?d a kg:Document FILTER NOT EXISTS { ?d a kg:ListVersion } }"))


# -- a folder of good and bad inputs, built once with the CLI ----------------------------


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("inputs")
    for path in EXAMPLE_FILES:
        shutil.copy(path, folder / path.name)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"%PDF-1.7\n\x00\x01\x02\xff" * 64)
    (folder / "latin1.txt").write_bytes("Kata'ib: r\xe9fugi\xe9s\n".encode("latin-1"))
    (folder / "dangling.txt").symlink_to(folder / "deleted-article.txt")
    return folder


@pytest.fixture(scope="module")
def built(inputs: Path, tmp_path_factory: pytest.TempPathFactory
          ) -> tuple[subprocess.CompletedProcess[str], Path]:
    """`kg build` over the mixed folder (read-only for tests: copy the store to change it)."""
    store = tmp_path_factory.mktemp("built") / "kg-data"
    return run_kg("build", str(inputs), str(inputs / "no-such-folder"), "--store", str(store),
                  "-q"), store


def test_bad_inputs_are_reported_and_the_rest_is_built(
    built: tuple[subprocess.CompletedProcess[str], Path], inputs: Path
) -> None:
    run, store_dir = built
    assert run.returncode == 2, run.stderr  # some inputs failed
    errors = error_lines(run.stderr)
    assert set(errors) == {str(inputs / name) for name in BAD_FILES} | {
        str(inputs / "no-such-folder")}, run.stderr
    for name, problem in BAD_FILES.items():
        assert errors[str(inputs / name)].startswith(problem), errors
    assert errors[str(inputs / "no-such-folder")] == "no such file or folder"
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr
    assert build_summary(run.stdout) == (
        "read 10 inputs: 5 stored, 0 unchanged, 5 failed, 0 with quarantined output")

    store = KGStore(store_dir, read_only=True)
    assert len(_documents(store)) == len(store.document_graphs()) == len(EXAMPLE_FILES)
    names = {str(r["n"].value) for r in store.select(
        "SELECT ?n WHERE { ?d a kg:Document ; kg:fileName ?n }")}
    assert names == {p.name for p in EXAMPLE_FILES}
    assert store.quarantined_documents() == []


def test_rebuild_changes_nothing(
    built: tuple[subprocess.CompletedProcess[str], Path], inputs: Path, tmp_path: Path
) -> None:
    first, reference = built
    store_dir = _copy_store(reference, tmp_path)
    run = run_kg("build", str(inputs), "--store", str(store_dir), "-q")
    assert run.returncode == 2, run.stderr
    assert build_summary(run.stdout) == (
        "read 9 inputs: 0 stored, 5 unchanged, 4 failed, 0 with quarantined output")
    assert set(error_lines(run.stderr)) == {str(inputs / name) for name in BAD_FILES}
    triples = re.compile(r"^\s+triples\s+(\d+)$", re.M)
    assert triples.findall(run.stdout) == triples.findall(first.stdout) != []
    assert _quads(store_dir) == _quads(reference)  # same triples, same times


def test_forced_rebuild_gives_the_same_iris(
    built: tuple[subprocess.CompletedProcess[str], Path], inputs: Path, tmp_path: Path
) -> None:
    _, reference = built
    store_dir = _copy_store(reference, tmp_path)
    run = run_kg("build", str(inputs), "--store", str(store_dir), "-q", "--force")
    assert build_summary(run.stdout).startswith("read 9 inputs: 5 stored, 0 unchanged"), run.stdout
    before, after = _quads(reference), _quads(store_dir)
    assert _timeless(after) == _timeless(before)
    # Only the extraction times moved: same extraction nodes, same graphs, one time each.
    assert len(after) == len(before)
    assert {q.split(" ", 1)[0] for q in after - before} <= \
        {q.split(" ", 1)[0] for q in before if ENDED in q}


def test_parallel_build_equals_serial_build(
    built: tuple[subprocess.CompletedProcess[str], Path], inputs: Path, tmp_path: Path
) -> None:
    _, reference = built
    store_dir = tmp_path / "kg-data"
    run = run_kg("build", str(inputs), "--store", str(store_dir), "-q", "--jobs", "2")
    assert run.returncode == 2, run.stderr
    assert set(error_lines(run.stderr)) == {str(inputs / name) for name in BAD_FILES}
    assert _timeless(_quads(store_dir)) == _timeless(_quads(reference))


def test_killed_build_leaves_a_consistent_store_and_resumes(
    built: tuple[subprocess.CompletedProcess[str], Path], inputs: Path, tmp_path: Path
) -> None:
    """SIGKILL right after the second document is stored, then run `kg build` again."""
    _, reference = built
    store_dir = tmp_path / "kg-data"
    killer = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from kg.build import build\n"
        "from kg.store import KGStore\n"
        "stored = []\n"
        "def progress(outcome):\n"
        "    if outcome.document and not outcome.skipped:\n"
        "        stored.append(outcome.path)\n"
        "        if len(stored) == 2:\n"
        "            os.kill(os.getpid(), signal.SIGKILL)\n"
        "build([Path(sys.argv[1])], KGStore(sys.argv[2]), progress=progress)\n"
    )
    killed = subprocess.run([sys.executable, "-c", killer, str(inputs), str(store_dir)],
                            capture_output=True, text=True, timeout=300, check=False)
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    # Every document in the store is whole: exactly what a full build stores for it.
    expected = _by_graph(_timeless(_quads(reference)))
    partial = _by_graph(_timeless(_quads(store_dir)))
    assert partial.pop(f"<{ONTOLOGY_GRAPH}>") == expected[f"<{ONTOLOGY_GRAPH}>"]
    assert len(partial) == 2
    for graph, quads in partial.items():
        assert quads == expected[graph], graph

    run = run_kg("build", str(inputs), "--store", str(store_dir), "-q")
    assert build_summary(run.stdout) == (
        "read 9 inputs: 3 stored, 2 unchanged, 4 failed, 0 with quarantined output")
    assert _timeless(_quads(store_dir)) == _timeless(_quads(reference))


# -- library-level builds (in this process, the spaCy model loaded once) ----------------


def test_half_then_all_equals_one_full_build(examples_store: Path, tmp_path: Path) -> None:
    store = KGStore(tmp_path / "kg-data")
    first = build(EXAMPLE_FILES[: len(EXAMPLE_FILES) // 2], store)
    assert len(first.stored) == len(EXAMPLE_FILES) // 2
    second = build([EXAMPLES], store)
    assert len(second.skipped) == len(EXAMPLE_FILES) // 2
    assert len(second.stored) == (len(EXAMPLE_FILES) - len(EXAMPLE_FILES) // 2
                                  + len(EXAMPLE_LISTS))
    assert _timeless(_quads(store)) == _timeless(_quads(examples_store))


def test_editing_a_document_replaces_its_graph(tmp_path: Path) -> None:
    folder = tmp_path / "inputs"
    shutil.copytree(EXAMPLES, folder)
    store = KGStore(tmp_path / "kg-data")
    build([folder], store)
    edited = folder / "01-iraq-kataib-hizballah.txt"
    iri = document_iri(read_document(edited).url, read_document(edited).content_hash)
    others = {g: store.document_graph(g) for g in store.document_graphs() if g != str(iri)}
    assert "Esmail Qaani" in read_document(edited).text
    old_hash = read_document(edited).content_hash

    # The last paragraph (Khamenei, Qaani, Abdul Mahdi) is cut.
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text[: text.index("Iran's supreme leader")], encoding="utf-8")
    new = read_document(edited)
    result = build([folder], store)

    assert [o.path for o in result.stored] == [str(edited)]
    assert len(result.skipped) == len(EXAMPLE_FILES) - 1 + len(EXAMPLE_LISTS)
    assert document_iri(new.url, new.content_hash) == iri  # same document, same IRI
    assert len(_documents(store)) == len(EXAMPLE_FILES)  # no second document node
    hashes = [str(r["h"].value) for r in store.select(
        "SELECT ?d ?h WHERE { ?d kg:contentHash ?h }", {"d": iri})]
    assert hashes == [new.content_hash] and old_hash != new.content_hash
    graph = store.document_graph(str(iri))
    quotes = {str(q) for q in graph.objects(None, KG.quote)}
    assert quotes and not any("Qaani" in q or "Khamenei" in q for q in quotes), quotes
    assert not list(store.select(
        "SELECT ?s WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), 'Qaani')) }"))
    # The other documents' graphs are untouched.
    for name, before in others.items():
        assert set(store.document_graph(name)) == set(before), name


# -- quarantine ----------------------------------------------------------------------

BAD_DOCUMENT = "02-yemen-houthis.txt"
TEST_EXTRACTOR = "tests.unkinded-affiliation"


def _unkinded_affiliation(context: Context, run: Run) -> Graph:
    """An affiliation between the first two actors of one document, with no kind."""
    graph = Graph()
    if context.document.name != BAD_DOCUMENT:
        return graph
    # The actors found so far, in the graph the earlier extractors built.
    actors = sorted(set(context.graph.subjects(KG.mention, None)), key=str)
    member, organization = actors[0], actors[1]
    claim = node_iri("affiliation", member, organization, base=run.base)
    text = context.document.text
    evidence = add_evidence(graph, run, text, 0, text.index("\n"))  # the headline
    graph.add((claim, RDF.type, KG.Affiliation))
    graph.add((claim, KG.member, member))
    graph.add((claim, KG.organization, organization))
    graph.add((claim, KG.evidence, evidence))
    graph.add((claim, PROV.wasDerivedFrom, run.document))
    return graph


@pytest.fixture
def bad_extractor() -> Iterator[str]:
    extractor_versions()  # the built-in extractors first, so the actors are found
    register(TEST_EXTRACTOR, version="1", assigns=(KG.Affiliation,))(_unkinded_affiliation)
    try:
        yield TEST_EXTRACTOR
    finally:
        REGISTRY.pop(TEST_EXTRACTOR, None)


def _quarantine_quads(store: KGStore, graph: str) -> list[ox.Quad]:
    return list(store.quarantine_db.quads_for_pattern(None, None, None, ox.NamedNode(graph)))


def test_invalid_output_is_quarantined_and_the_rest_kept(
    bad_extractor: str, examples_store: Path, tmp_path: Path
) -> None:
    store_dir = tmp_path / "kg-data"
    run = CliRunner().invoke(cli, ["build", str(EXAMPLES), "--store", str(store_dir), "-q"])
    exit_code, stdout, stderr = run.exit_code, run.stdout, run.stderr
    del run  # its traceback holds the command's open store
    gc.collect()
    assert exit_code == 1, stdout + stderr  # data did not conform

    # The CLI says how many and where.
    bad_path = EXAMPLES / BAD_DOCUMENT
    match = re.search(rf"^quarantined: {re.escape(str(bad_path))}: (\d+) triples failed "
                      r"validation$", stderr, re.M)
    assert match and int(match.group(1)) > 0, stderr
    assert build_summary(stdout) == (
        f"read {len(EXAMPLE_FILES) + len(EXAMPLE_LISTS)} inputs: "
        f"{len(EXAMPLE_FILES) + len(EXAMPLE_LISTS)} stored, 0 unchanged, 0 failed, "
        "1 with quarantined output")
    store = KGStore(store_dir)
    assert f"quarantine reports: {store.reports_dir}/" in stdout
    assert re.search(r"quarantined\s+1 documents", stdout), stdout

    doc = read_document(bad_path)
    iri = document_iri(doc.url, doc.content_hash)
    # The valid output of that document is kept: the same actors as without the bad claim.
    reference = KGStore(examples_store, read_only=True).document_graph(str(iri))
    kept = store.document_graph(str(iri))
    actor_types = {KG.Person, KG.ArmedGroup, KG.Organization, KG.GovernmentBody, KG.State}
    actors = {(s, o) for s, o in kept.subject_objects(RDF.type) if o in actor_types}
    assert actors and actors == {
        (s, o) for s, o in reference.subject_objects(RDF.type) if o in actor_types}
    # So are its valid affiliations; only the kindless one is held back.
    stored = {s for s in kept.subjects(RDF.type, KG.Affiliation)}
    assert stored == set(reference.subjects(RDF.type, KG.Affiliation))
    assert all(kept.value(s, KG.affiliationKind) is not None for s in stored)

    # The bad node is in the quarantine database, with the SHACL report.
    assert store.quarantined_documents() == [str(iri)]
    quarantined = _quarantine_quads(store, str(iri))
    claims = {q.subject.value for q in quarantined
              if q.predicate.value == str(RDF.type) and q.object.value == str(KG.Affiliation)}
    assert len(claims) == 1
    (claim,) = claims
    assert not kept.value(URIRef(claim), RDF.type)
    report = _quarantine_quads(store, f"{iri}#shacl-report")
    sh = namespace.SH
    messages = {q.object.value for q in report if q.predicate.value == str(sh.resultMessage)}
    focus = {q.object.value for q in report if q.predicate.value == str(sh.focusNode)}
    assert "an affiliation needs exactly one kind from kg:AffiliationKinds" in messages
    assert claim in focus

    # A readable report names the file, the node and the violation.
    reports = list(store.reports_dir.iterdir())
    assert len(reports) == 1
    text = reports[0].read_text(encoding="utf-8")
    assert str(bad_path) in text and claim in text
    assert f"<{KG.affiliationKind}>: an affiliation needs exactly one kind" in text

    # With the bad extractor gone, rebuilding the document clears its quarantine.
    REGISTRY.pop(bad_extractor)
    result = build([bad_path], store)
    assert not result.quarantined and len(result.stored) == 1
    assert store.quarantined_documents() == []


class _Killed(BaseException):
    """Stands for the process dying: nothing in the build may catch it."""


@pytest.mark.parametrize("kill_at", [1, 2])
def test_build_killed_between_writes_is_completed_by_a_rerun(
    bad_extractor: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kill_at: int
) -> None:
    """A document with quarantined output takes two writes (quarantine, store); wherever
    the build dies, re-running it ends with both."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    shutil.copy(EXAMPLES / BAD_DOCUMENT, folder / BAD_DOCUMENT)
    store = KGStore(tmp_path / "kg-data")
    writes = 0

    def dying(method: str) -> object:
        original = getattr(KGStore, method)

        def write(self: KGStore, *args: object) -> object:
            nonlocal writes
            writes += 1
            if writes == kill_at:
                raise _Killed
            return original(self, *args)

        return write

    with monkeypatch.context() as patch:
        for method in ("replace_document", "replace_quarantine", "clear_quarantine"):
            patch.setattr(KGStore, method, dying(method))
        with pytest.raises(_Killed):
            build([folder], store)

    result = build([folder], store)
    assert len(result.stored) == 1 and len(result.quarantined) == 1
    doc = read_document(folder / BAD_DOCUMENT)
    iri = URIRef(document_iri(doc.url, doc.content_hash))
    assert store.stored_document(iri) is not None
    assert store.quarantined_documents() == [str(iri)]
    assert _quarantine_quads(store, f"{iri}#shacl-report")
    assert len(list(store.reports_dir.iterdir())) == 1
    # And a third run has nothing left to do.
    assert len(build([folder], store).skipped) == 1

