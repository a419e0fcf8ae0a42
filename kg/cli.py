"""The `kg` command: a thin layer over the library's functions.

Exit codes: 0 ok (or the data conforms), 1 some data does not conform (quarantined),
2 usage or input error (some input could not be read), 3 internal error.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kg.errors import InputError, KGError, QueryError, StoreError
from kg.store import DEFAULT_STORE, FORMATS, KGStore

if TYPE_CHECKING:
    from kg.reconcile.same_actor import Identity

EXIT_OK, EXIT_NONCONFORMING, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3

store_option = click.option(
    "--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_STORE, show_default=True, envvar="KG_STORE",
    help="Folder of the embedded store (env KG_STORE).",
)


def _iso_date(_ctx: Any, _param: Any, value: str | None) -> str | None:
    if value is not None:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise click.BadParameter(f"{value!r} is not a date as YYYY-MM-DD") from None
    return value


list_date_option = click.option(
    "--list-date", default=None, callback=_iso_date, metavar="YYYY-MM-DD",
    help="Publication date of designation lists whose files do not state it (OFAC's CSV).")


def _err(message: str) -> None:
    click.echo(message, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kg")
def cli() -> None:
    """kg: a knowledge graph of armed actors, built from news reports and official lists."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@store_option
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Documents extracted in parallel (worker processes).")
@click.option("--force", is_flag=True, help="Re-extract documents even if unchanged.")
@click.option("--max-bytes", type=click.IntRange(1), default=None,
              help="Refuse files larger than this (default 10 MiB).")
@click.option("--model", default=None, envvar="KG_SPACY_MODEL",
              help="spaCy model package (env KG_SPACY_MODEL).")
@click.option("--base-uri", default=None, help="Base of minted entity IRIs.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@list_date_option
def build(paths: tuple[Path, ...], store_dir: Path, jobs: int, force: bool,
          max_bytes: int | None, model: str | None, base_uri: str | None, quiet: bool,
          list_date: str | None) -> None:
    """Build or update the KG from files and folders (articles: .txt with a header, plain
    text, .html)."""
    from kg.build import build as run_build
    from kg.documents import DEFAULT_MAX_BYTES
    from kg.extract import ExtractOptions
    from kg.namespace import DEFAULT_BASE

    options = ExtractOptions(base=base_uri or DEFAULT_BASE, model=model,
                             now=dt.datetime.now(dt.UTC))
    store = KGStore(store_dir)
    bar: Any = None

    def on_total(total: int) -> None:
        nonlocal bar
        if not quiet and total:
            bar = click.progressbar(length=total, label="extracting", file=sys.stderr,
                                    show_pos=True, show_eta=True)
            bar.__enter__()

    def progress(outcome: Any) -> None:
        name = outcome.path
        if outcome.error:
            _err(f"\nerror: {name}: {outcome.error}")
        for warning in outcome.warnings:
            if not outcome.skipped:
                _err(f"\nwarning: {name}: {warning}")
        if outcome.quarantined_triples:
            _err(f"\nquarantined: {name}: {outcome.quarantined_triples} triples failed "
                 "validation")
        if bar is not None:  # made once the inputs are read: each outcome now is one of them
            bar.update(1)

    def on_list(path: Path) -> None:
        if not quiet:
            _err(f"reading list {path} (validated in batches; large lists take a while)")

    result = run_build(paths, store, jobs=jobs, force=force, options=options,
                       max_bytes=max_bytes or DEFAULT_MAX_BYTES, progress=progress,
                       on_total=on_total, list_date=list_date, on_list=on_list)
    if bar is not None:
        bar.__exit__(None, None, None)
    click.echo(
        f"\nread {len(result.outcomes)} inputs: {len(result.stored)} stored, "
        f"{len(result.skipped)} unchanged, {len(result.failed)} failed, "
        f"{len(result.quarantined)} with quarantined output"
    )
    if result.identity is not None:
        _print_identity(result.identity)
    _print_summary(store)
    if result.quarantined:
        click.echo(f"quarantine reports: {store.reports_dir}/")
    click.echo("\nnext: kg stats | kg query --list | kg query actors-by-type "
               "| kg export --format trig --out kg.trig")
    if result.failed:
        sys.exit(EXIT_INPUT)
    if result.quarantined:
        sys.exit(EXIT_NONCONFORMING)


def _print_identity(identity: Identity) -> None:
    same = identity.same
    click.echo(f"actors under several IRIs: {len(same)} IRIs folded into "
               f"{len({s.canonical for s in same})} actors, {len(identity.kept_apart)} "
               "look-alikes kept apart (kg query same-actors)")


def _print_summary(store: KGStore) -> None:
    from kg.queries import find_query, run_query

    table = run_query(store, find_query("summary"), {})
    counts = {row[0]: int(row[1]) for row in table.rows}
    from kg.identity import ACTOR_TYPE_SEGMENTS, EVENT_TYPES

    actor_types = [str(t).rsplit("#", 1)[-1] for t in ACTOR_TYPE_SEGMENTS]
    actors = sum(counts.get(t, 0) for t in actor_types)
    events = sum(counts.get(str(t).rsplit("#", 1)[-1], 0) for t in EVENT_TYPES)
    click.echo(f"store: {store.path.resolve()}")
    click.echo(f"  documents      {counts.get('documents', 0)}")
    click.echo(f"  list versions  {counts.get('list versions', 0)}")
    click.echo(f"  actors         {actors}  (" + ", ".join(
        f"{t} {counts.get(t, 0)}" for t in actor_types) + ")")
    click.echo(f"  affiliations   {counts.get('Affiliation', 0)}")
    click.echo(f"  designations   {counts.get('Designation', 0)}")
    click.echo(f"  events         {events}")
    click.echo(f"  triples        {len(store)}")
    click.echo(f"  quarantined    {len(store.quarantined_documents())} documents")


@cli.command()
@store_option
def stats(store_dir: Path) -> None:
    """Print what the store holds."""
    _print_summary(KGStore(store_dir, read_only=True))


@cli.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["facts", "ttl", "trig", "jsonld"]),
              default="facts", show_default=True)
@click.option("--model", default=None, envvar="KG_SPACY_MODEL", help="spaCy model package.")
@click.option("--max-bytes", type=click.IntRange(1), default=None,
              help="Refuse files larger than this (default 10 MiB).")
@list_date_option
@click.option("--wikidata-endpoint", default=None, metavar="URL",
              help="Link actors to Wikidata through this SPARQL endpoint (the facts' "
                   "`wikidata` field; 'default': Wikidata's, or KG_WIKIDATA_ENDPOINT).")
@click.option("--wikidata-cache", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="Cache of endpoint answers (default ~/.cache/kg/).")
@click.option("--offline", is_flag=True, help="Link from the cache only; send no request.")
def extract(file: Path, fmt: str, model: str | None, max_bytes: int | None,
            list_date: str | None, wikidata_endpoint: str | None,
            wikidata_cache: Path | None, offline: bool) -> None:
    """Extract one document or designation list to stdout, without the store."""
    from rdflib import Dataset

    from kg.documents import DEFAULT_MAX_BYTES, read_document
    from kg.extract import ExtractOptions, extract_document
    from kg.facts import document_facts
    from kg.identity import document_iri
    from kg.lists import LIST_ONLY_SUFFIXES, is_list_file, read_list
    from kg.lists.ingest import standalone_graph

    options = ExtractOptions(model=model)
    if file.suffix.lower() in LIST_ONLY_SUFFIXES or is_list_file(file):
        version = read_list(file, version_date=list_date)
        graph, iri = standalone_graph(version, options)
        for message in (*version.warnings, *(f"{p.where}: {p.problem}" for p in version.problems)):
            _err(f"warning: {file}: {message}")
    else:
        doc = read_document(file, max_bytes=max_bytes or DEFAULT_MAX_BYTES)
        for warning in doc.warnings:
            _err(f"warning: {file}: {warning}")
        graph = extract_document(doc, options)
        iri = document_iri(doc.url, doc.content_hash, options.base)
    if wikidata_endpoint or offline:
        from kg.reconcile.client import EndpointError, OfflineMiss
        from kg.reconcile.link import client_for, link_graph
        from kg.reconcile.search import search_for

        client = client_for(None if wikidata_endpoint in (None, "default") else wikidata_endpoint,
                            cache=wikidata_cache, offline=offline)
        try:
            decisions = link_graph(graph, client.select, search_for(client))
        except (EndpointError, OfflineMiss) as exc:
            decisions = []
            _err(f"warning: no actor linked to Wikidata: {exc}")
        for decision in decisions:
            if decision.decision == "review" and decision.best is not None:
                _err(f"review: {decision.actor.label!r} ~ {decision.best.candidate.qid} "
                     f"({decision.best.score:.2f}: {decision.best.why})")
    if fmt == "facts":
        click.echo(json.dumps(document_facts(graph, iri), indent=1, ensure_ascii=False))
    elif fmt == "ttl":
        click.echo(graph.serialize(format="turtle"))
    else:
        dataset = Dataset()
        for prefix, ns in graph.namespaces():
            dataset.bind(prefix, ns)
        named = dataset.graph(iri)
        named += graph
        click.echo(dataset.serialize(format="trig" if fmt == "trig" else "json-ld"))


@cli.command()
@store_option
@click.option("--endpoint", default=None, metavar="URL",
              help="SPARQL endpoint (default: Wikidata's, or KG_WIKIDATA_ENDPOINT).")
@click.option("--offline", is_flag=True, help="Use cached answers only; send no request.")
@click.option("--review", "review_file", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="Write the uncertain links, with their candidates, as CSV.")
@click.option("--apply", "apply_file", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="Apply a person's decisions from a review CSV (decision "
              "column: accept, reject or a QID); they survive rebuilds and re-runs. Sends "
              "no request.")
def reconcile(store_dir: Path, endpoint: str | None, offline: bool,
              review_file: Path | None, apply_file: Path | None) -> None:
    """Link the store's actors to Wikidata items; keep every decision with its reasons."""
    from kg.namespace import DEFAULT_BASE
    from kg.reconcile.client import EndpointError, OfflineMiss
    from kg.reconcile.link import client_for
    from kg.reconcile.run import apply_review_file, merge_store, reconcile_store, write_review
    from kg.reconcile.search import search_for

    if apply_file is not None:
        if review_file is not None:
            raise click.UsageError("--apply and --review are separate runs")
        store = KGStore(store_dir)
        now = dt.datetime.now(dt.UTC)
        try:
            read = apply_review_file(store, apply_file, base=DEFAULT_BASE, when=now)
        except InputError as exc:
            _err(f"error: {exc}")
            sys.exit(EXIT_INPUT)
        identity = merge_store(store, DEFAULT_BASE, now)
        store.flush()
        accepted = sum(1 for r in read.reviews if r.outcome == "accept")
        click.echo(f"applied {len(read.reviews)} decisions from {apply_file}: {accepted} "
                   f"accepted, {len(read.reviews) - accepted} rejected; {read.undecided} "
                   "rows left undecided")
        _print_identity(identity)
        for problem in read.problems:
            _err(f"error: {apply_file}: {problem}")
        if read.problems:
            sys.exit(EXIT_INPUT)
        return
    store = KGStore(store_dir)
    client = client_for(endpoint, cache=store.path / "reconcile" / "cache.sqlite",
                        offline=offline)
    try:
        result = reconcile_store(store, client.select, client.endpoint, base=DEFAULT_BASE,
                                 when=dt.datetime.now(dt.UTC), search=search_for(client))
    except (EndpointError, OfflineMiss) as exc:
        _err(f"error: no actor linked: {exc}\nnothing in the store was changed; run again "
             "when the endpoint answers (answers already received are cached)")
        sys.exit(EXIT_INPUT)
    store.flush()
    stats = client.stats
    click.echo(f"{len(result.decisions)} actors: {result.count('accept')} linked, "
               f"{result.count('review')} to review, {result.count('reject')} unlinked; "
               f"{stats.requests} requests, {stats.cache_hits} answers from the cache")
    enriched = result.enrichment
    click.echo(f"{enriched.facts} facts about the {enriched.items} linked items copied from "
               f"Wikidata ({enriched.ended} ended statements left out)")
    _print_identity(result.identity)
    if result.quarantined:
        _err(f"warning: {result.quarantined} triples of the decisions failed validation and "
             "were left out")
    if review_file is not None:
        rows = write_review(result.decisions, review_file)
        click.echo(f"{rows} decisions to review in {review_file}")


@cli.command()
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Validate every document graph of this store instead.")
@click.option("--format", "fmt", type=click.Choice(["text", "ttl"]), default="text",
              show_default=True)
def validate(file: Path | None, store_dir: Path | None, fmt: str) -> None:
    """Validate an RDF file, an article (extracted first) or a whole store against the
    SHACL shapes. Exit 0 if it conforms, 1 if not."""
    from rdflib import Dataset, Graph

    from kg.validate import validate_graph

    if (file is None) == (store_dir is None):
        raise click.UsageError("give either FILE or --store DIR")
    graphs: list[tuple[str, Graph]] = []
    if file is not None:
        rdf_formats = {".ttl": "turtle", ".nt": "nt", ".trig": "trig", ".nq": "nquads",
                       ".jsonld": "json-ld", ".rdf": "xml", ".owl": "xml"}
        if file.suffix.lower() in rdf_formats:
            dataset = Dataset()
            try:
                dataset.parse(file, format=rdf_formats[file.suffix.lower()])
            except Exception as exc:
                raise InputError(file, f"cannot parse as RDF: {exc}") from exc
            merged = Graph()
            for quad in dataset.quads():
                merged.add(quad[:3])
            graphs.append((str(file), merged))
        else:
            from kg.documents import read_document
            from kg.extract import extract_document

            graphs.append((str(file), extract_document(read_document(file))))
    else:
        store = KGStore(store_dir or DEFAULT_STORE, read_only=True)
        for name in store.document_graphs():
            graphs.append((name, store.document_graph(name)))
    failing = 0
    for name, graph in graphs:
        report = validate_graph(graph)
        if report.conforms:
            if fmt == "text":
                click.echo(f"{name}: conforms ({len(graph)} triples)")
            continue
        failing += 1
        if fmt == "ttl":
            click.echo(report.graph.serialize(format="turtle"))
        else:
            click.echo(f"{name}: {len(report.violations)} violations")
            for violation in report.violations:
                click.echo(f"  - {violation}")
    if failing:
        sys.exit(EXIT_NONCONFORMING)


@cli.command()
@click.argument("name_or_file", required=False)
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="A query parameter, bound as a typed term of its declared type (repeatable).")
@click.option("--as-of", "as_of", default=None, metavar="DATE",
              help="Answer with what the KG knew on DATE (YYYY-MM-DD, UTC): only the graphs "
                   "whose extraction runs and link decisions all ended by then.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
@click.option("--list", "list_only", is_flag=True,
              help="List the named queries: name, purpose, parameters.")
@click.option("--show", is_flag=True,
              help="Print the query as standalone SPARQL 1.1 (with its PREFIX lines) instead "
                   "of running it.")
@store_option
def query(name_or_file: str | None, params: tuple[str, ...], as_of: str | None, fmt: str,
          list_only: bool, show: bool, store_dir: Path) -> None:
    """Run a named query (queries/NAME.rq) or an .rq file against the store.

    Parameters are typed (string, iri, date, day, year, integer) and bound as RDF terms,
    never pasted into the query text; a missing or mistyped one exits with code 2.

    Two times are kept apart. When facts were true is what a query's own date parameters
    ask about (e.g. designations-in-force --param date=2019-06-01). What the KG knew is
    --as-of DATE: the query then runs over a dataset of the named graphs whose every
    recorded activity (prov:endedAtTime of extraction runs, prov:generatedAtTime of link
    decisions) is on or before DATE. The store keeps only the latest state of each graph,
    so a graph updated after DATE (a re-extracted document, a list given a newer version)
    is left out whole: nothing learned after DATE leaks into the answer. The ontology's
    graph is always included.
    """
    from kg.queries import (
        bind_params,
        find_query,
        format_table,
        list_queries,
        parse_as_of,
        query_view,
        query_view_as_of,
        run_query,
        sparql_text,
    )

    if list_only:
        for q in list_queries():
            click.echo(f"{q.name}: {q.purpose}")
            for p in q.params:
                opt = ", optional" if p.optional else ""
                click.echo(f"    --param {p.name}=VALUE ({p.type}{opt}) {p.description}")
        return
    if not name_or_file:
        raise click.UsageError("name a query (see kg query --list)")
    raw: dict[str, str] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise QueryError(f"--param {item!r} is not NAME=VALUE")
        raw[key.strip()] = value
    named = find_query(name_or_file)
    if show:
        click.echo(sparql_text(named), nl=False)
        return
    bound = bind_params(named, raw)
    before = parse_as_of(as_of) if as_of is not None else None
    store = KGStore(store_dir, read_only=True)
    view = query_view(store) if before is None else query_view_as_of(store, before)
    click.echo(format_table(run_query(view, named, bound), fmt), nl=False)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="trig",
              show_default=True, help="nq, trig and jsonld keep the named graphs.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Output file (default: stdout).")
@store_option
def export(fmt: str, out: Path | None, store_dir: Path) -> None:
    """Dump the KG in an RDF format."""
    store = KGStore(store_dir, read_only=True)
    if out is None:
        store.dump(sys.stdout.buffer, fmt)
        sys.stdout.buffer.flush()
        return
    # Written beside the target and renamed at the end, so a failed dump leaves no
    # half-written file under the target's name.
    tmp = out.with_name(out.name + ".partial")
    try:
        with tmp.open("wb") as handle:
            store.dump(handle, fmt)
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise click.FileError(str(out), hint=exc.strerror or str(exc)) from exc
    _err(f"wrote {out} ({out.stat().st_size} bytes, {fmt})")


@cli.command()
@click.option("--endpoint", required=True, metavar="URL",
              help="The server's SPARQL Update endpoint (Oxigraph: http://HOST:7878/update).")
@click.option("--graph-store", default=None, metavar="URL",
              help="Its Graph Store Protocol endpoint (Oxigraph: http://HOST:7878/store); "
                   "without it, or if the server has none, SPARQL Update is used.")
@click.option("--user", default=None, help="User name for HTTP basic authentication.")
@click.option("--password", default=None, envvar="KG_PUSH_PASSWORD",
              help="Password for HTTP basic authentication (env KG_PUSH_PASSWORD).")
@click.option("--batch", "batch_triples", type=click.IntRange(1), default=None,
              help="Triples per request at most (default 50000).")
@click.option("--retries", type=click.IntRange(0, 20), default=None,
              help="Retries of a request that fails for a passing reason (default 4).")
@click.option("--query-endpoint", default=None, metavar="URL",
              help="The server's SPARQL query endpoint, which lists its graphs (default: "
                   "the --endpoint URL with /update made /query).")
@click.option("--base-uri", default=None, metavar="URI",
              help="Base of the KG's IRIs (as given to `kg build`): the server's graphs "
                   "under it that the store no longer holds are removed.")
@click.option("--keep-removed", is_flag=True,
              help="Leave on the server the graphs the store no longer holds.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@store_option
def push(endpoint: str, graph_store: str | None, user: str | None, password: str | None,
         batch_triples: int | None, retries: int | None, query_endpoint: str | None,
         base_uri: str | None, keep_removed: bool, quiet: bool, store_dir: Path) -> None:
    """Send the KG to a SPARQL server, one named graph per document; a push again
    replaces the graphs, never duplicates them, and removes those of documents the
    store no longer holds."""
    from kg.namespace import DEFAULT_BASE
    from kg.publish.push import DEFAULT_BATCH, DEFAULT_RETRIES, PushError, Target, push_store

    if password is not None and user is None:
        raise click.UsageError("--password needs --user")
    store = KGStore(store_dir, read_only=True)
    target = Target(endpoint, graph_store, user, password,
                    retries=DEFAULT_RETRIES if retries is None else retries,
                    query_endpoint=query_endpoint)
    bar: Any = None
    if not quiet:
        bar = click.progressbar(length=len(store), label="pushing triples", file=sys.stderr,
                                show_pos=True, show_eta=True)
        bar.__enter__()
    try:
        result = push_store(store, target, batch_triples=batch_triples or DEFAULT_BATCH,
                            progress=(lambda _graph, n: bar.update(n)) if bar else None,
                            base=None if keep_removed else base_uri or DEFAULT_BASE)
    except PushError as exc:
        _err(f"\nerror: {exc}")
        sys.exit(EXIT_INPUT)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    removed = f", removed {len(result.removed)} graphs" if result.removed else ""
    click.echo(f"pushed {result.triples} triples in {result.graphs} graphs to {endpoint} "
               f"by {result.protocol}{removed} ({result.requests} requests, "
               f"{result.retries} retries)")


@cli.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--base-uri", default=None, metavar="URI",
              help="Base of the entity IRIs the store holds (as given to `kg build`).")
@click.option("--query-timeout", type=click.FloatRange(0.1), default=30.0, show_default=True,
              help="Seconds a SPARQL query may run before it is stopped.")
@click.option("--threads", type=click.IntRange(1, 512), default=None,
              help="Requests answered at once (pages, documents, reconciliation); more "
                   "wait (default 16).")
@click.option("--query-workers", type=click.IntRange(1, 64), default=None,
              help="SPARQL endpoint queries a server process runs at once, each in its own "
                   "process with the store open, so memory grows with them; more wait "
                   "(default: 2 shared out among the server processes, at least 1 each).")
@click.option("--processes", type=click.IntRange(1, 64), default=None,
              help="Server processes answering on the port, each with the store open, its "
                   "own threads and query workers (they share the pages they keep): one "
                   "uses one processor core, as Python runs one thread at a time (default: "
                   "the machine's cores, at most 2).")
@click.option("--verbose", is_flag=True,
              help="Log debug records too, among them waitress's queue depth for every "
                   "request that waits for a thread (else summed up once a minute).")
def serve(store_dir: Path, host: str, port: int, base_uri: str | None,
          query_timeout: float, threads: int | None, query_workers: int | None,
          processes: int | None, verbose: bool) -> None:
    """Serve the KG: SPARQL endpoint, entity pages and documents, ontology, VoID, dumps."""
    from kg.namespace import DEFAULT_BASE
    from kg.publish.reconcile_api import MountedReconcileApp
    from kg.publish.serve import DEFAULT_THREADS
    from kg.publish.serve import serve as run_server
    from kg.publish.serve_log import configure_logging
    from kg.publish.serve_processes import ServeError, default_processes, serve_processes
    from kg.publish.server import DEFAULT_QUERY_WORKERS, KGApp, ServerLimits, make_app

    configure_logging(verbose=verbose)

    store = KGStore(store_dir, read_only=True)
    base = base_uri or DEFAULT_BASE
    processes = processes or default_processes()
    # The default query workers are shared out among the processes (at least one each).
    limits = ServerLimits(query_seconds=query_timeout, query_workers=query_workers or max(
        1, DEFAULT_QUERY_WORKERS // processes))
    threads = threads or DEFAULT_THREADS

    def app_of(store: KGStore, shared_folder: Path | None = None) -> KGApp:
        return make_app(store, base, limits=limits, shared_folder=shared_folder,
                        mounts={"/reconcile": MountedReconcileApp(store, base)})

    def ready(url: str) -> None:
        each = f" in each of {processes} processes" if processes > 1 else ""
        workers = f"{limits.query_workers} query worker" + (
            "s" if limits.query_workers > 1 else "")
        click.echo(f"serving {store_dir} at {url} with {threads} threads and {workers}{each} "
                   "(Ctrl-C stops)")

    if processes == 1:
        run_server(app_of(store), host, port, threads=threads, on_ready=ready)
    else:
        # Opened above to report a missing store here; each process opens its own.
        del store
        gc.collect()
        try:
            serve_processes(
                lambda shared: app_of(KGStore(store_dir, read_only=True), shared), host,
                port, processes=processes, threads=threads, on_ready=ready)
        except ServeError as error:
            raise KGError(str(error)) from None
    _err("stopped")


def main() -> None:
    """Entry point: runs the CLI, turning kg's errors into one line and an exit code."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        _err("aborted")
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_INPUT)
    except (InputError, QueryError) as exc:
        _err(f"error: {exc}")
        sys.exit(EXIT_INPUT)
    except StoreError as exc:
        _err(f"error: {exc}")
        sys.exit(EXIT_INPUT)
    except KGError as exc:
        _err(f"error: {exc}")
        sys.exit(EXIT_INTERNAL)
    except SystemExit:
        raise
    except BrokenPipeError:
        sys.exit(EXIT_OK)
    except Exception:
        _err("internal error (please report it with the trace below):")
        traceback.print_exc()
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
