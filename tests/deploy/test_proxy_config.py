"""The nginx config: the public doors go to the app replicas; /metrics and the action-only writes stay inside."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONF = (ROOT / "docker" / "nginx" / "nginx.conf").read_text(encoding="utf-8")


def _locations() -> dict[str, str]:
    """`location [modifier] path { body }` blocks (none of ours nest braces)."""
    blocks = re.findall(r"location\s+(=|\^~|~\*?)?\s*(\S+)\s*\{([^}]*)\}", CONF)
    return {f"{modifier} {path}".strip(): body for modifier, path, body in blocks}


def _upstream() -> str:
    match = re.search(r"set\s+\$app_upstream\s+(\S+);", CONF)
    assert match, "the proxy names its upstream in $app_upstream"
    return match.group(1)


def test_public_doors_go_to_the_app_replicas() -> None:
    locations = _locations()
    assert _upstream() == "http://app:8000"
    for path in ("/", "/api/", "/webhooks/", "/admin"):
        assert "proxy_pass $app_upstream;" in locations[path], path


def test_metrics_is_not_public() -> None:
    locations = _locations()
    metrics = [body for key, body in locations.items() if key.endswith("/metrics")]
    assert metrics and all("return 404" in body for body in metrics)
    # A prefix match that beats regexes covers /metrics/, /metrics?x and friends.
    assert "^~ /metrics" in locations


def test_scaled_replicas_are_found_through_dockers_dns() -> None:
    assert re.search(r"resolver\s+127\.0\.0\.11\b", CONF)
    # A static upstream block would resolve `app` only once, at start, and miss later replicas.
    assert not re.search(r"^\s*upstream\s+\S+\s*\{", CONF, flags=re.MULTILINE)


def test_compose_mounts_this_config_and_publishes_the_listen_port() -> None:
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert "./docker/nginx/nginx.conf:/etc/nginx/nginx.conf:ro" in compose
    listen = re.search(r"listen\s+(\d+);", CONF)
    assert listen and f':{listen.group(1)}"' in compose


ACTION_ONLY_WRITES = ("/api/questions", "/api/handover", "/api/feedback", "/api/procedures/search-turn")


def _action_paths() -> set[str]:
    """Every app path the action server calls, read from its client."""
    source = (ROOT / "actions" / "services.py").read_text(encoding="utf-8")
    return set(re.findall(r'f?"(/api/[^"{]*)', source))


def _widget_paths() -> set[str]:
    source = (ROOT / "channels" / "static" / "widget.js").read_text(encoding="utf-8")
    return set(re.findall(r"(/api/[a-z/_-]*)", source))


def _blocked(path: str) -> bool:
    """Whether a `^~` prefix location answers 404 for `path` (nginx prefers it over `/api/`)."""
    return any(key.startswith("^~ ") and path.startswith(key[3:]) and "return 404" in body
               for key, body in _locations().items())


def test_action_only_writes_are_refused_from_outside() -> None:
    # A stranger must not fill the clerks' inbox, open handovers, rate the bot or log questions.
    assert set(ACTION_ONLY_WRITES) <= _action_paths(), "the action server still calls these paths"
    for path in ACTION_ONLY_WRITES:
        assert _blocked(path), path


def test_citizen_and_integrator_doors_stay_open() -> None:
    for path in _widget_paths() | {"/api/procedures/search", "/api/dossiers/lookup", "/api/communes/resolve"}:
        assert not _blocked(path), path


def test_the_proxy_lets_the_largest_bulk_upload_the_app_takes_through() -> None:
    from knowledge.admin.bulk_routes import MAX_UPLOAD_BYTES

    def megabytes(body: str) -> int:
        match = re.search(r"client_max_body_size\s+(\d+)m;", body)
        assert match, body
        return int(match.group(1)) * 1024 * 1024

    bulk = _locations()["^~ /admin/bulk/"]
    assert "proxy_pass $app_upstream;" in bulk
    # The file plus its multipart framing (boundaries, the CSRF field, headers) must fit.
    assert megabytes(bulk) >= MAX_UPLOAD_BYTES + 64 * 1024
    # Everything else keeps the small global cap.
    assert megabytes(CONF.split("server {")[0]) <= 2 * 1024 * 1024
