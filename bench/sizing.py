"""Pods and nodes from one commune to the whole country, computed from the `make bench` figures.

`python -m bench.sizing` reads `bench/results.json` and prints the README's sizing section; the Kubernetes
overlays' requests and limits are these pod sizes (`tests/deploy/test_kubernetes.py` checks both), so the
figures cannot drift from the measured run. Every assumption that is not a measurement is a named constant
here and is printed with the table.
"""

from __future__ import annotations

import json
import math
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).with_name("results.json")

# The reform's numbers: 14.5 million dossiers from 1 July to 31 October 2025; 34 provinces, 3,321 communes.
DOSSIERS_FIRST_FOUR_MONTHS = 14_500_000
DAYS_FIRST_FOUR_MONTHS = 31 + 31 + 30 + 31
PROVINCES = 34
COMMUNES = 3_321

# Assumptions (not measured): chat messages per dossier filed, the hours a day's messages spread over, and how
# much busier the peak hour is than the average of those hours.
MESSAGES_PER_DOSSIER = 10
ACTIVE_HOURS = 10
PEAK_FACTOR = 3
# The HorizontalPodAutoscalers' target: pods are counted so that each runs at this share of its CPU request.
TARGET_CPU = 0.7
# A worker node of 4 vCPU and 16 GiB, of which this much is left to pods after the system and kubelet reserve.
NODE_CPU = 3.5
NODE_MEMORY_MI = 13 * 1024
NODE = "4 vCPU, 16 GiB"

COMPONENTS = ("app", "rasa", "actions")
LABELS = {"app": "app", "rasa": "Rasa", "actions": "action server"}


@dataclass(frozen=True)
class Pod:
    """Requests and limits of one container, in millicores and MiB."""

    cpu_request_m: int
    cpu_limit_m: int
    memory_request_mi: int
    memory_limit_mi: int

    def resources(self) -> dict[str, dict[str, str]]:
        """As a container's `resources` in a manifest."""
        return {"requests": {"cpu": f"{self.cpu_request_m}m", "memory": f"{self.memory_request_mi}Mi"},
                "limits": {"cpu": f"{self.cpu_limit_m}m", "memory": f"{self.memory_limit_mi}Mi"}}


@dataclass(frozen=True)
class Row:
    load: str
    dossiers_per_day: float
    peak_msgs_per_s: float
    pods: dict[str, int]
    cpu_cores: float
    memory_gib: float
    nodes: int


def load_results(path: Path = RESULTS) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _ceil_to(value: float, step: int) -> int:
    return int(math.ceil(round(value, 6) / step) * step)


def turn(results: dict[str, Any]) -> dict[str, Any]:
    """The search turn at 10 concurrent conversations: the costliest turn the bench measures."""
    return results["chat_turn_costs"]["search"]


def pod_sizes(results: dict[str, Any]) -> dict[str, dict[str, Pod]]:
    """Requests and limits per overlay and component, from the measured CPU per turn and resident memory.

    Province pods are one app+Rasa pair at the rate the bench measured for the pair: the CPU request is what
    each server spent at that rate (CPU ms per turn x messages/s, rounded up to 100m), the limit twice that;
    memory requests are the resident size plus a quarter, limits plus a half (rounded up to 256 MiB).
    National pods are larger: Rasa runs 2 Sanic workers (measured as `rasa_2_workers`), so its CPU request
    doubles; the app stays one process (one metrics registry) with room to burst to 3 times its request and
    half as much memory again for a larger knowledge base; the action server serves twice the Rasa pods.
    """
    rate = turn(results)["msgs_per_s"]
    cpu_ms = turn(results)["cpu_ms_per_turn"]
    memory = results["memory_mb"]

    def pod(component: str, rate_factor: float, memory_mb: float, cpu_limit_factor: float = 2) -> Pod:
        request = _ceil_to(rate * rate_factor * cpu_ms[component], 100)
        return Pod(request, int(request * cpu_limit_factor),
                   _ceil_to(memory_mb * 1.25, 256), _ceil_to(memory_mb * 1.5, 256))

    return {
        "province": {"app": pod("app", 1, memory["app"]), "rasa": pod("rasa", 1, memory["rasa"]),
                     "actions": pod("actions", 1, memory["actions"])},
        "national": {"app": pod("app", 1, memory["app"] * 1.5, cpu_limit_factor=3),
                     "rasa": pod("rasa", 2, memory["rasa_2_workers"]),
                     "actions": pod("actions", 2, memory["actions"])},
    }


def msgs_per_s_per_pod(results: dict[str, Any], pod: Pod, component: str) -> float:
    """What one pod answers while it runs at the target share of its CPU request."""
    return pod.cpu_request_m * TARGET_CPU / turn(results)["cpu_ms_per_turn"][component]


def dossiers_per_day() -> float:
    return DOSSIERS_FIRST_FOUR_MONTHS / DAYS_FIRST_FOUR_MONTHS


def peak_msgs_per_s(dossiers: float) -> float:
    return dossiers * MESSAGES_PER_DOSSIER / (ACTIVE_HOURS * 3600) * PEAK_FACTOR


def row(results: dict[str, Any], load: str, dossiers: float, overlay: str, minimum: dict[str, int]) -> Row:
    sizes = pod_sizes(results)[overlay]
    peak = peak_msgs_per_s(dossiers)
    cpu_ms = turn(results)["cpu_ms_per_turn"]
    pods = {c: max(minimum[c], math.ceil(round(peak * cpu_ms[c] / (sizes[c].cpu_request_m * TARGET_CPU), 6)))
            for c in COMPONENTS}
    cpu = sum(pods[c] * sizes[c].cpu_request_m for c in COMPONENTS) / 1000
    memory_mi = sum(pods[c] * sizes[c].memory_request_mi for c in COMPONENTS)
    nodes = max(math.ceil(cpu / NODE_CPU), math.ceil(memory_mi / NODE_MEMORY_MI), 2 if max(pods.values()) > 1 else 1)
    return Row(load, dossiers, peak, pods, cpu, memory_mi / 1024, nodes)


def rows(results: dict[str, Any]) -> list[Row]:
    national = dossiers_per_day()
    one = {"app": 1, "rasa": 1, "actions": 1}
    province = {"app": 2, "rasa": 2, "actions": 1}
    highly_available = {"app": 2, "rasa": 2, "actions": 2}
    table = [
        row(results, "one commune (province overlay, one replica each)", national / COMMUNES, "province", one),
        row(results, "one province, a 34th of the country (province overlay)", national / PROVINCES, "province",
            province),
        row(results, "the whole country in one deployment (national overlay)", national, "national",
            highly_available),
        row(results, "the whole country, ten times the load (national overlay)", national * 10, "national",
            highly_available),
    ]
    each = table[1]
    table.insert(2, Row(f"the whole country as {PROVINCES} province deployments", national,
                        peak_msgs_per_s(national), {c: each.pods[c] * PROVINCES for c in COMPONENTS},
                        each.cpu_cores * PROVINCES, each.memory_gib * PROVINCES, each.nodes * PROVINCES))
    return table


def _paragraph(text: str) -> str:
    return textwrap.fill(text, width=110, break_long_words=False, break_on_hyphens=False)


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}" if value >= 1 else f"{value:.2f}"


def render(results: dict[str, Any]) -> str:
    """The README's sizing text: the measured pair, pod sizes, the load table and its assumptions."""
    measured = turn(results)
    cpu = measured["cpu_ms_per_turn"]
    machine = results["machine"]
    sizes = pod_sizes(results)
    lines = [
        _paragraph(
        f"From the `make bench` run of {machine['measured_at']} on {machine['cpus']} CPUs (`bench/results.json`, "
        "`chat_turn_costs.search`: search turns, 10 concurrent conversations): one app+Rasa pod pair answers "
        f"**{measured['msgs_per_s']:.1f} messages/s**, spending {cpu['app']:.1f} ms of CPU per message in the "
        f"app, {cpu['rasa']:.1f} in Rasa and {cpu['actions']:.1f} in the action server; resident memory "
        f"{results['memory_mb']['app']:.0f} MB per app, {results['memory_mb']['rasa']:.0f} MB per Rasa worker "
        f"({results['memory_mb']['rasa_2_workers']:.0f} MB for 2 workers), "
        f"{results['memory_mb']['actions']:.0f} MB per action server."),
        "",
        f"| overlay | pod | CPU request / limit | memory request / limit | messages/s per pod at "
        f"{TARGET_CPU:.0%} of its CPU request |",
        "|---|---|---|---|---|",
    ]
    for overlay, pods in sizes.items():
        for component, pod in pods.items():
            lines.append(
                f"| {overlay} | {LABELS[component]} | {pod.cpu_request_m}m / {pod.cpu_limit_m}m | "
                f"{pod.memory_request_mi}Mi / {pod.memory_limit_mi}Mi | "
                f"{msgs_per_s_per_pod(results, pod, component):.0f} |")
    national = dossiers_per_day()
    greeting = sum(results["chat_turn_costs"]["greeting"]["cpu_ms_per_turn"].values())
    lines += [
        "",
        _paragraph(
        f"Load: {DOSSIERS_FIRST_FOUR_MONTHS:,} dossiers in the first {DAYS_FIRST_FOUR_MONTHS} days after "
        f"1 July 2025 = {national:,.0f} a day nationally, shared evenly by {PROVINCES} provinces and "
        f"{COMMUNES:,} communes. Assumed: {MESSAGES_PER_DOSSIER} chat messages per dossier, every one priced as "
        f"a search turn ({sum(cpu.values()):.0f} ms of CPU; a greeting costs {greeting:.0f}); a day's messages "
        f"spread over {ACTIVE_HOURS} hours; "
        f"the peak hour {PEAK_FACTOR} times that average. Pods are counted so each runs at {TARGET_CPU:.0%} "
        f"of its CPU request at the peak, never fewer than the overlay's replicas; nodes of {NODE} with "
        f"{NODE_CPU:g} vCPU and {NODE_MEMORY_MI // 1024} GiB left for pods, at least 2 once a service has 2 "
        "replicas. PostgreSQL, Redis and the ingress controller are not counted."),
        "",
        "| load | dossiers/day | peak-hour messages/s | pods: app / Rasa / action server | CPU requested "
        f"(cores) | memory requested (GiB) | nodes ({NODE}) |",
        "|---|---|---|---|---|---|---|",
    ]
    for item in rows(results):
        counts = " / ".join(str(item.pods[c]) for c in COMPONENTS)
        lines.append(f"| {item.load} | {_number(item.dossiers_per_day)} | {_number(item.peak_msgs_per_s)} | "
                     f"{counts} | {item.cpu_cores:.1f} | {item.memory_gib:.1f} | {item.nodes} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    sys.stdout.write(render(load_results()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
