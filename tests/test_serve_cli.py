"""`kg serve` as a user runs it: it prints the URL it serves, answers there, and stops
cleanly on Ctrl-C, in one process or several; a missing store is a usage error."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.conftest import run_kg


def test_serve_prints_its_url_answers_and_stops_on_ctrl_c(examples_store: Path,
                                                          http: Any) -> None:
    kg = Path(sys.executable).parent / "kg"
    process = subprocess.Popen(
        [str(kg), "serve", "--store", str(examples_store), "--port", "0",
         "--base-uri", "https://w3id.org/kg/id/", "--threads", "3", "--query-workers", "3",
         "--processes", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
        assert match, line
        url = match.group(1)
        assert "with 3 threads and 3 query workers" in line
        assert len(_query_workers(process.pid)) == 3
        home = http.get(url, timeout=30)
        assert home.status_code == 200 and "Kata&#39;ib Hizballah" in home.text
        answer = http.get(url + "sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
        assert answer.status_code == 200 and answer.json()["boolean"] is True
        # The reconciliation service is mounted, and knows the URL it is reached at.
        manifest = http.get(url + "reconcile", timeout=30).json()
        assert manifest["versions"] and manifest["suggest"]["entity"]["service_url"] \
            .startswith(url + "reconcile")
        matched = http.post(url + "reconcile", data={"queries": json.dumps(
            {"q0": {"query": "Kataib Hezbollah"}})}, timeout=30).json()
        assert matched["q0"]["result"][0]["name"] == "Kata'ib Hizballah"
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
        assert process.returncode == 0, stderr
        assert "stopped" in stderr and "Traceback" not in stderr
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_serve_in_two_processes_answers_and_stops_them_all(examples_store: Path,
                                                            http: Any) -> None:
    kg = Path(sys.executable).parent / "kg"
    process = subprocess.Popen(
        [str(kg), "serve", "--store", str(examples_store), "--port", "0", "--processes", "2",
         "--query-workers", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
        assert match, line
        assert "in each of 2 processes" in line
        servers = _children(process.pid)
        assert len(servers) == 2
        # Each server process has its own query worker (started once the process is up:
        # the URL is printed as soon as the port listens).
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not all(
                len(_query_workers(server)) == 1 for server in servers):
            time.sleep(0.2)
        assert all(len(_query_workers(server)) == 1 for server in servers)
        for _ in range(6):
            page = http.get(match.group(1) + "kg/id/armed-group/kataib-hizballah.html",
                            timeout=60)
            assert page.status_code == 200 and "Kata&#39;ib Hizballah" in page.text
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == 0, stderr
        assert "Traceback" not in stderr
        assert not [pid for pid in servers if Path(f"/proc/{pid}").exists()]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _children(pid: int) -> list[int]:
    return [int(c) for task in Path(f"/proc/{pid}/task").iterdir()
            for c in (task / "children").read_text().split()]


def _query_workers(pid: int) -> list[int]:
    """The query worker processes a process started (multiprocessing's spawned children,
    its resource tracker aside)."""
    workers = []
    for child in _children(pid):
        command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        if b"from multiprocessing.spawn import spawn_main; spawn_main(" \
                in b" ".join(command):
            workers.append(child)
    return workers


def test_serve_without_a_store_is_a_usage_error(tmp_path: Path) -> None:
    result = run_kg("serve", "--store", str(tmp_path / "nothing"), "--port", "0", timeout=60)
    assert result.returncode == 2
    assert "no kg store" in result.stderr
