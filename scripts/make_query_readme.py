"""Write queries/README.md: every named query with its parameters, its example call and
the output of that call on a KG built from examples/ (tests/test_query_readme.py checks that
the file is what this script writes, so it never drifts).

The KG is built with a pinned extraction time, so the output is the same on every machine.

    python scripts/make_query_readme.py          # rewrite queries/README.md
    python scripts/make_query_readme.py --check  # exit 1 if it differs
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

from kg.build import build
from kg.extract import ExtractOptions
from kg.queries import (
    bind_params,
    example_params,
    format_table,
    list_queries,
    query_view,
    run_query,
)
from kg.resources import queries_dir
from kg.store import KGStore

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
# When the README's KG "learned" the examples: pinned, so the output does not drift.
BUILT_AT = dt.datetime(2025, 1, 15, 12, 0, tzinfo=dt.UTC)
MAX_ROWS = 8

INTRO = """# Named queries

Each `.rq` file here is a plain SPARQL 1.1 query with a header: `# title:`, `# purpose:`,
one `# param: NAME (TYPE[, optional]) description` per parameter and `# example:` calls.
Run one with

    kg query NAME [--param NAME=VALUE ...] [--as-of DATE] [--format table|csv|json]

`kg query --list` lists them; `kg query NAME --show` prints one as standalone SPARQL, with
the PREFIX lines of the prefixes it uses, for any other SPARQL engine. (`wikidata/` holds
the reconciler's queries to Wikidata, not named queries.)

## Parameters

A parameter is bound to the query variable of the same name as a typed RDF term, never
pasted into the text: `string` (xsd:string), `iri` (an absolute IRI or `prefix:name`),
`date` (a day, month or year, as xsd:date, xsd:gYearMonth or xsd:gYear: the bound of a
period), `day` (YYYY-MM-DD: what held on that day), `year` (xsd:gYear), `integer`. A
missing or mistyped parameter, an unknown one or an unknown query stops `kg query` with
a message naming the parameter and the type it expects, and exit code 2.

Names match any label or alias of an actor, ignoring case. Dates keep the precision their
source gives: "on a day" answers count a date known only to the month or year from the
end of that month or year (before that nobody can say it held), and a period keeps an
event dated only by month or year when that month or year overlaps the period.

## Two times: when facts were true, and what the KG knew (`--as-of`)

When a fact was true (an affiliation's start, a listing date, an event's date) is data,
asked about with the queries' own parameters: `designations-in-force --param
date=2019-06-01`. When kg learned it is provenance: each extraction run records its end
(`prov:endedAtTime`) and each link decision its time (`prov:generatedAtTime`).

`--as-of DATE` answers with what the KG knew at the end of DATE (UTC): the query runs over
a dataset made of the named graphs whose every recorded activity ended on or before DATE,
and the ontology's graph. The store keeps only the latest state of each graph, so a graph
changed after DATE (a document extracted again, a list given a newer version, links
decided again) is left out whole rather than shown with what was learned after DATE: an
as-of answer may miss what the KG knew then, but never shows what it learned later.
`known-on` and `sources-known-on` ask the same question claim by claim and source by
source, from the extraction times themselves.

## How queries see the store

Each document, list and the link decisions are named graphs; queries see their RDF merge
as the default graph, each triple once however many documents state it. (pyoxigraph 0.5
reads a union of graphs as a bag, oxigraph/oxigraph#1919, so `kg query` runs on a merged
view kept in `query-view/` beside the store and remade when the store changes.) A test
runs every query on this view and on rdflib over the same data and checks the answers are
the same.

## Writing a query that stays fast

What Oxigraph 0.5 does with a query, measured on a KG of 1.1M quads
(`make bench-queries`):

- It orders joins greedily by a static estimate in which a pattern with a bound predicate
  (`?a kg:member ?b`) looks smaller than the name lookup `?x rdfs:label|skos:altLabel ?n`,
  so a query starts from every affiliation or typed node. A `VALUES` block is estimated
  by its rows and comes first: `VALUES ?nameProperty {{ rdfs:label skos:altLabel }}` then
  `{{ ?x ?nameProperty ?alias . FILTER(...) }}` starts from the name (a braced group: its
  FILTER stays with it), and `VALUES ?type {{ kg:Attack ... }}` beats
  `FILTER(?type IN (...))` over every `rdf:type` triple.
- It does not know a parameter is bound: a filter on one stays where it is written (put
  it in the group it should cut down), and `BOUND(?param)` is folded to false, so
  `!BOUND(?param)` would ignore the parameter. For an optional parameter write
  `FILTER(IF(COALESCE(STR(?p), "") = "", true, EXISTS {{ ... }}))`; with `||` the EXISTS
  runs for every row even when the parameter is absent.
- An `EXISTS` whose body is one triple pattern (or a union of them) runs per row with
  the row's values; a body of several patterns or a path is evaluated without them,
  for each row: seconds to minutes. Nest them instead, one pattern each:
  `EXISTS {{ ?e kg:participation ?p FILTER EXISTS {{ ?p kg:participant ?x ... }} }}`.
- A one-pattern `OPTIONAL` is a hash join over every triple of its predicate (the
  quotes: 70 ms); one of several patterns or a path is evaluated for the whole KG first.
  Where the shapes require the property, join it instead of making it optional; else
  let the `OPTIONAL` say where its subject comes from, so that the join is with the few
  it can match: `OPTIONAL {{ ?designation a kg:Designation ; kg:evidence ?evidence .
  ?evidence kg:quote ?quote }}` joins the designations' quotes, not every quote (93 to
  69 ms in designation-history).
- A `BIND` closes the patterns written before it: those after it are evaluated on their
  own, for the whole KG, and joined (5 s in known-on). Put BINDs after every pattern.
- An alternative path `a|b` is scanned in full even when its subject or object is
  bound: write a `UNION` of one pattern each.
- A sequence path `a/b/c` whose ends are both free is walked from its start: the list
  versions' dates as `kg:evidence/kg:inDocument/kg:versionDate` went through every
  claim's evidence (430 ms); as three patterns the planner starts from the few
  versions (1 ms). A `UNION` branch is planned on its own: start each from what is
  small (the listing bodies), not from every part-of affiliation.
- What a row needs from an `OPTIONAL` of several patterns (a unit's leaders) is better
  gathered once, one row per thing, in an `OPTIONAL` subquery with `GROUP BY` (1.2 s to
  0.4 s in designated-units).
- The patterns of an `OPTIONAL` are matched on their own, then joined, but they do see a
  bound parameter: start them from it (`?speakerActor kg:nameKey ?speaker`) and they
  match only what is about it (claims-by-speaker: 0.9 s to 2 ms for a speaker). It only
  pays where the name lookup is the planner's cheapest start, as in a chain of patterns
  with fixed predicates: next to `?source dcterms:issued ?issued` (a few thousand
  triples) it starts from the dates, and two `OPTIONAL`s binding one variable, or a
  `UNION` inside one, took 1.6 to 2.7 s in affiliations-on-date, against 20 ms.
- A bound parameter is joined at the top of the query: a `UNION` branch or a subquery
  does not see it, so an optional parameter cannot choose where a query starts (a
  `UNION` of "from the name" and "from everything", each guarded by the parameter, took
  2.6 s: the planner starts from everything). A question about one thing takes it as a
  required parameter, and the list of all is a query of its own (claims-by-speaker and
  attributed-claims). To
  match a parameter against something costly (the listing bodies and their parents'
  names), gather that once, one row per thing, in a subquery, and `FILTER` at the top.
  Put such a subquery first: rdflib evaluates a subquery joined on its right anew for
  every row (160 s where it came last).
- Two `OPTIONAL`s that each match many rows multiply; one `OPTIONAL` over a `UNION` adds.
- A FILTER, BIND, ORDER BY or aggregate reads each term it touches from disk (IRIs and
  strings over 15 bytes): 5 to 10 µs a term, and a long answer costs its length.
- Matching a name ignoring case with `LCASE` reads every label and alias (100 to 300 ms
  at 1.1M quads). A parameter of type `name` is bound lower-cased, as a key of the name
  index (kg.name_index, the graph `{{base}}graph/names`): look it up with
  `VALUES ?lookup {{ kg:nameKey }} ?actor ?lookup ?name .` (the VALUES makes the lookup
  the start: 1 ms where `?actor kg:nameKey ?name` alone took 1 s), or inside an optional
  parameter's EXISTS with `?actor kg:nameKey ?name`. The `?name` column then shows the key.

## The queries

The outputs below come from `kg build examples` (five articles and one FTO list), run by
`scripts/make_query_readme.py`; long tables are cut after {max_rows} rows.
"""


def build_examples(folder: Path) -> KGStore:
    store = KGStore(folder)
    result = build([EXAMPLES], store, options=ExtractOptions(now=BUILT_AT))
    if result.failed or result.quarantined:
        raise SystemExit(f"building the examples failed: {result.outcomes}")
    store.flush()
    return store


def render(store: KGStore) -> str:
    view = query_view(store, in_memory=True)
    parts = [INTRO.format(max_rows=MAX_ROWS)]
    queries = list_queries()
    parts.append("| query | purpose |\n| --- | --- |\n" + "".join(
        f"| [`{q.name}`](#{q.name}) | {q.title} |\n" for q in queries))
    for q in queries:
        parts.append(f"\n### {q.name}\n\n**{q.title}.** {q.purpose[0].upper()}{q.purpose[1:]}\n")
        if q.params:
            parts.append("\n| parameter | type | |\n| --- | --- | --- |\n" + "".join(
                f"| `{p.name}` | {p.type}{', optional' if p.optional else ''} | "
                f"{p.description} |\n" for p in q.params))
        table = run_query(view, q, bind_params(q, example_params(q)))
        shown = type(table)(table.columns, table.rows[:MAX_ROWS])
        text = format_table(shown, "table").rstrip("\n")
        if len(table.rows) > MAX_ROWS:
            text = text.rsplit("\n", 1)[0] + f"\n({len(table.rows)} rows, {MAX_ROWS} shown)"
        parts.append(f"\n```\n$ {q.examples[0]}\n{text}\n```\n")
    return "".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if queries/README.md is not what this script writes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        text = render(build_examples(Path(tmp) / "kg-data"))
    target = queries_dir() / "README.md"
    if args.check:
        same = target.is_file() and target.read_text(encoding="utf-8") == text
        print(f"{target}: {'up to date' if same else 'out of date'}")
        sys.exit(0 if same else 1)
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
