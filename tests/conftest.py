"""Shared fixtures: paths to the repository's and ../shared's data, a KG built once from
examples/, and a runner for the `kg` command as a user calls it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from kg.build import build
from kg.store import KGStore

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
EXAMPLES = ROOT / "examples"
CORPUS = SHARED / "corpus"
SHARED_GOLD = SHARED / "gold"
FACTSCORE = SHARED / "tools" / "factscore.py"


def run_kg(
    *args: str, cwd: Path | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run the installed `kg` command; output as text."""
    kg = Path(sys.executable).parent / "kg"
    return subprocess.run([str(kg), *args], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout, check=False)


@pytest.fixture(scope="session")
def examples_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built from examples/ (read-only for tests: copy it to modify)."""
    path = tmp_path_factory.mktemp("examples") / "kg-data"
    store = KGStore(path)
    result = build([EXAMPLES], store)
    assert not result.failed and not result.quarantined, result.outcomes
    del store
    return path


ERROR_LINE = re.compile(r"^error: (.+?): (.+)$", re.M)


def build_summary(stdout: str) -> str:
    """The one-line summary `kg build` ends with ("read N inputs: ...")."""
    match = re.search(r"read \d+ inputs: .*", stdout)
    assert match, stdout
    return match.group(0)


def error_lines(stderr: str) -> dict[str, str]:
    """Each `error: FILE: PROBLEM` line of a run, by file."""
    return dict(ERROR_LINE.findall(stderr))
