"""The `assistant` console script, run as a real process on a temporary database."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from assistant.config import PROJECT_ROOT
from tests.kb_subset import seed_records, write_jsonl

ASSISTANT = PROJECT_ROOT / ".venv" / "bin" / "assistant"


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSISTANT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "ASSISTANT_INDEX_DIR": str(tmp_path / "index")}
    return subprocess.run([str(ASSISTANT), "-q", *args], env=env, capture_output=True, text=True,
                          timeout=300, check=False)


def test_import_reports_bad_records_and_imports_the_rest_then_is_idempotent(tmp_path: Path) -> None:
    records = seed_records(["1.001193", "1.000894"])
    broken = {**records[0], "ma_thu_tuc": ""}
    source = write_jsonl(tmp_path / "p.jsonl", [*records, broken], extra_lines=["{not json"])
    first = run(tmp_path, "kb", "import", str(source))
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout.strip().splitlines()[-1])
    assert (summary["created"], summary["rejected"]) == (2, 2)
    assert "rejected line 3" in first.stderr and "rejected line 4" in first.stderr
    second = run(tmp_path, "kb", "import", str(source))
    assert json.loads(second.stdout.strip().splitlines()[-1])["unchanged"] == 2


def test_import_of_a_missing_file_fails_clearly(tmp_path: Path) -> None:
    result = run(tmp_path, "kb", "import", str(tmp_path / "nope.jsonl.gz"))
    assert result.returncode == 1
    assert "file not found" in result.stderr


def test_build_search_and_eval_print_machine_readable_results(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "p.jsonl", seed_records(["1.001193", "1.000894", "1.000656"]))
    assert run(tmp_path, "kb", "import", str(source)).returncode == 0
    build = run(tmp_path, "index", "build")
    assert build.returncode == 0, build.stderr
    assert json.loads(build.stdout.strip().splitlines()[-1])["procedures"] == 3
    search = run(tmp_path, "search", "dang ky ket hon")
    assert search.stdout.splitlines()[0].startswith("1. 1.000894")
    questions = write_jsonl(tmp_path / "q.jsonl", [
        {"question": "lam giay khai sinh", "expected": ["1.001193"]},
        {"question": "đăng ký khai tử cho bố", "expected": ["1.000656"]},
    ])
    evaluation = run(tmp_path, "eval", "retrieval", "--questions", str(questions), "--backend", "bm25")
    report = json.loads(evaluation.stdout.strip().splitlines()[-1])
    assert report["backend"] == "bm25" and report["questions"] == 2
    assert report["hit@1"] == 1.0 and report["mrr"] == 1.0
    assert {"hit@3", "p50_ms", "p95_ms"} <= set(report)
