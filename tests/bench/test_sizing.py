"""The sizing section: computed from the committed bench run, and quoted by the README as computed."""

from __future__ import annotations

import math
import re
from pathlib import Path

from bench import sizing

ROOT = Path(__file__).resolve().parents[2]
RESULTS = sizing.load_results()


def test_readme_quotes_the_sizing_computed_from_this_bench_run() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- sizing:[^\n]*-->\n(.*?)<!-- end of sizing -->", readme, flags=re.DOTALL)
    assert match, "README.md has no sizing block"
    assert match.group(1) == sizing.render(RESULTS), "rerun `python -m bench.sizing` and copy its output"
    assert RESULTS["machine"]["measured_at"] in match.group(1), "the table cites the run it comes from"


def test_the_national_load_is_the_reforms_figure() -> None:
    # 14.5 million dossiers in the four months from 1 July 2025: about 120,000 a day.
    assert 115_000 < sizing.dossiers_per_day() < 121_000
    assert math.isclose(sizing.peak_msgs_per_s(36_000), 36_000 * sizing.MESSAGES_PER_DOSSIER
                        / (sizing.ACTIVE_HOURS * 3600) * sizing.PEAK_FACTOR)


def test_pods_cover_the_measured_cost() -> None:
    turn = sizing.turn(RESULTS)
    memory = RESULTS["memory_mb"]
    for overlay, pods in sizing.pod_sizes(RESULTS).items():
        for component, pod in pods.items():
            assert pod.cpu_request_m <= pod.cpu_limit_m and pod.memory_request_mi <= pod.memory_limit_mi
            # A pair at the measured rate fits in the requests; memory requests hold the resident size.
            assert pod.cpu_request_m >= turn["msgs_per_s"] * turn["cpu_ms_per_turn"][component], (overlay, component)
            resident = memory["rasa_2_workers"] if (overlay, component) == ("national", "rasa") else memory[component]
            assert pod.memory_request_mi * 1.048576 >= resident, (overlay, component)


def test_every_row_runs_its_pods_at_or_below_the_target() -> None:
    sizes = sizing.pod_sizes(RESULTS)
    cpu_ms = sizing.turn(RESULTS)["cpu_ms_per_turn"]
    rows = sizing.rows(RESULTS)
    assert [row.peak_msgs_per_s for row in rows] == sorted(row.peak_msgs_per_s for row in rows)
    for row in rows:
        overlay = "national" if "national" in row.load else "province"
        for component, count in row.pods.items():
            used = row.peak_msgs_per_s * cpu_ms[component]
            assert used <= count * sizes[overlay][component].cpu_request_m * sizing.TARGET_CPU, (row.load, component)
        assert row.nodes * sizing.NODE_CPU >= row.cpu_cores
        assert row.nodes * sizing.NODE_MEMORY_MI >= row.memory_gib * 1024
