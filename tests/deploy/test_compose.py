"""The compose file's structure: no Docker engine runs here, so what it promises is checked as data."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.config import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
REQUIRED_VAR = re.compile(r"^\$\{[A-Z0-9_]+:\?[^}]+\}$")
VAR_REFERENCE = re.compile(r"\$\{([A-Z0-9_]+)(?::?[-?][^}]*)?\}")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|PEPPER|_KEY$")


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def _image_pinned(image: str) -> bool:
    name, _, tag = image.rpartition(":")
    return bool(name) and "/" not in tag and tag != "latest" and any(ch.isdigit() for ch in tag)


def test_the_expected_services_are_there() -> None:
    assert {"db", "redis", "app", "rasa", "actions", "proxy"} <= set(SERVICES)


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_service_has_a_health_check_and_a_restart_policy(name: str) -> None:
    service = SERVICES[name]
    assert service.get("restart") in {"always", "unless-stopped", "on-failure"}, name
    check = service.get("healthcheck") or {}
    assert check.get("test") and not check.get("disable"), name
    assert check["test"][0] in {"CMD", "CMD-SHELL"}


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_images_are_pinned(name: str) -> None:
    image = SERVICES[name].get("image")
    assert image, f"{name} names no image (a built image needs a versioned name too)"
    assert _image_pinned(image), f"{name}: image {image!r} is not pinned to a version"


@pytest.mark.parametrize("dockerfile", sorted((ROOT / "docker").glob("*.Dockerfile")), ids=lambda p: p.name)
def test_dockerfiles_start_from_pinned_images_and_copy_what_exists(dockerfile: Path) -> None:
    lines = dockerfile.read_text(encoding="utf-8").splitlines()
    bases = [line.split()[1] for line in lines if line.startswith("FROM ")]
    assert bases and all(_image_pinned(base) for base in bases), bases
    for line in lines:
        if line.startswith("COPY ") and "--from" not in line:
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), f"{dockerfile.name} copies {source}, which does not exist"


def test_builds_point_at_existing_dockerfiles() -> None:
    for name, service in SERVICES.items():
        if "build" in service:
            assert (ROOT / service["build"]["context"] / service["build"]["dockerfile"]).is_file(), name


def test_secrets_come_from_env_and_are_required() -> None:
    for name, service in SERVICES.items():
        for key, value in _environment(service).items():
            if SECRET_NAME.search(key):
                assert REQUIRED_VAR.match(value), f"{name}.{key} must be written ${{VAR:?...}}"
            for password in re.findall(r"://[^:/@]+:([^@]+)@", value):
                assert REQUIRED_VAR.match(password), f"{name}.{key} has a literal password in a URL"
        if "env_file" in service:
            assert service["env_file"] in (".env", [".env"]), name


def test_volumes_are_named_or_read_only_config_from_docker_dir() -> None:
    declared = set(COMPOSE.get("volumes") or {})
    for name, service in SERVICES.items():
        for mount in service.get("volumes") or []:
            source, target, *mode = str(mount).split(":")
            if source.startswith((".", "/")):
                assert source.startswith("./docker/") and mode == ["ro"], f"{name}: {mount} is not a named volume"
                assert (ROOT / source).exists(), f"{name}: {source} does not exist"
            else:
                assert source in declared, f"{name}: volume {source} is not declared at the top level"
    assert {"db-data", "index-data"} <= declared


def test_only_the_proxy_publishes_a_port_so_the_app_can_scale() -> None:
    published = {name for name, service in SERVICES.items() if service.get("ports")}
    assert published == {"proxy"}
    assert "container_name" not in SERVICES["app"] and "container_name" not in SERVICES["rasa"]


def test_every_assistant_variable_of_the_app_is_a_setting() -> None:
    fields = {f"ASSISTANT_{name.upper()}" for name in Settings.model_fields}
    app_images = {SERVICES["app"]["image"]}
    used = {key for service in SERVICES.values() if service.get("image") in app_images
            for key in _environment(service) if key.startswith("ASSISTANT_")}
    assert used and used <= fields, sorted(used - fields)


def test_the_action_server_reads_only_its_documented_variables() -> None:
    # The action server is its own program (rasa-sdk): it reads where the app is and the secret they share.
    env = _environment(SERVICES["actions"])
    assert {k for k in env if k.startswith("ASSISTANT_")} == {"ASSISTANT_API_URL", "ASSISTANT_ACTIONS_TOKEN"}
    assert env["ASSISTANT_API_URL"] == "http://app:8000"
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert "ASSISTANT_API_URL=" in example and "ASSISTANT_ACTIONS_TOKEN=" in example


def test_the_app_and_the_action_server_get_the_same_required_shared_secret() -> None:
    # Without it the action server's write routes (questions, handover, feedback, search turn) are open.
    app, actions = _environment(SERVICES["app"]), _environment(SERVICES["actions"])
    assert app["ASSISTANT_ACTIONS_TOKEN"] == actions["ASSISTANT_ACTIONS_TOKEN"]
    assert REQUIRED_VAR.match(app["ASSISTANT_ACTIONS_TOKEN"])
    assert VAR_REFERENCE.findall(app["ASSISTANT_ACTIONS_TOKEN"]) == ["ASSISTANT_ACTIONS_TOKEN"]


def test_env_example_lists_every_setting_and_every_compose_variable() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    settings = {f"ASSISTANT_{name.upper()}" for name in Settings.model_fields}
    assert settings <= listed, f"missing from .env.example: {sorted(settings - listed)}"
    compose_vars = set(VAR_REFERENCE.findall((ROOT / "docker-compose.yml").read_text(encoding="utf-8")))
    assert compose_vars <= listed, f"missing from .env.example: {sorted(compose_vars - listed)}"


def test_rasa_replicas_share_postgres_trackers_and_the_redis_lock_store() -> None:
    rasa = SERVICES["rasa"]
    env = _environment(rasa)
    assert env["RASA_TRACKER_STORE_URL"].startswith("postgresql://") and env["RASA_TRACKER_STORE_URL"].endswith(
        "@db:5432/rasa")
    assert env["RASA_LOCK_STORE_HOST"] == "redis"
    endpoints_file = rasa["command"][rasa["command"].index("--endpoints") + 1]
    endpoints = yaml.safe_load((ROOT / endpoints_file).read_text(encoding="utf-8"))
    assert endpoints["lock_store"]["type"] == "redis"
    # Rasa's SQL store minus its count query per save (nlu/components/tracker_store.py): same tables and rows.
    assert endpoints["tracker_store"]["type"] == "nlu.components.tracker_store.KnownEventsSQLTrackerStore"
    assert (ROOT / "nlu" / "components" / "tracker_store.py").is_file()
    init_sql = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "docker/postgres/initdb").glob("*.sql"))
    assert "CREATE DATABASE rasa" in init_sql
    assert SERVICES["actions"]["image"] == rasa["image"]


def test_app_uses_postgres_redis_and_json_logs() -> None:
    env = _environment(SERVICES["app"])
    assert env["ASSISTANT_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert env["ASSISTANT_REDIS_URL"].startswith("redis://redis:")
    assert env["ASSISTANT_LOG_FORMAT"] == "json"
    # The app accepts these values in production once .env provides the required secrets.
    from_env = "3f9a0c1e7b2d4a6f8e0c2b4d6f8a0c1e3b5d7f9a"
    values = {k.removeprefix("ASSISTANT_").lower(): (from_env if "${" in v else v)
              for k, v in env.items() if k.startswith("ASSISTANT_")}
    assert Settings(**values).environment == "production"


def test_rasa_and_actions_log_json_with_a_config_the_image_holds() -> None:
    dockerfile = (ROOT / "docker" / "rasa.Dockerfile").read_text(encoding="utf-8")
    for name in ("rasa", "actions"):
        command = SERVICES[name]["command"]
        config = command[command.index("--logging-config-file") + 1]
        assert (ROOT / config).is_file() and config.startswith("nlu/"), name
    # The config names the app's formatter, so the image must hold that module too.
    assert "assistant/logging_setup.py" in dockerfile


def test_the_app_needs_its_chat_session_secret() -> None:
    # Without it the production app refuses to start (it signs the widget's conversation ids).
    app = _environment(SERVICES["app"])
    assert REQUIRED_VAR.match(app["ASSISTANT_CHAT_SESSION_SECRET"])
    assert VAR_REFERENCE.findall(app["ASSISTANT_CHAT_SESSION_SECRET"]) == ["ASSISTANT_CHAT_SESSION_SECRET"]
