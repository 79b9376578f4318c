"""How the three processes are wired: the app and the action server always share one secret."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from assistant import processes

TOKEN_ENV = "ASSISTANT_ACTIONS_TOKEN"


def _specs(actions_token: str | None = None, app_env: dict[str, str] | None = None
           ) -> dict[str, processes.ProcessSpec]:
    specs = processes.system_specs(app_port=8100, rasa_port=5105, action_port=5155,
                                   tracker_db_url="sqlite:///trackers.db", app_env=app_env,
                                   actions_token=actions_token)
    return {spec.name: spec for spec in specs}


def test_without_a_token_each_start_makes_a_new_one_for_both() -> None:
    first, second = _specs(), _specs()
    token = first["app"].env[TOKEN_ENV]
    assert len(token) >= 32 and first["actions"].env[TOKEN_ENV] == token
    assert TOKEN_ENV not in first["rasa"].env
    assert second["app"].env[TOKEN_ENV] == second["actions"].env[TOKEN_ENV] != token


def test_the_operators_token_is_kept_and_wins_over_app_env() -> None:
    specs = _specs(actions_token="operator-chosen-secret-0123456789",
                   app_env={TOKEN_ENV: "something-else-entirely-0123456789"})
    assert specs["app"].env[TOKEN_ENV] == specs["actions"].env[TOKEN_ENV] == "operator-chosen-secret-0123456789"


def test_the_secret_is_not_in_a_specs_repr() -> None:
    specs = _specs()
    assert specs["app"].env[TOKEN_ENV] not in repr(specs["app"]) + repr(specs["actions"])


def test_a_lone_action_server_inherits_the_environment_unless_given_a_token() -> None:
    assert TOKEN_ENV not in processes.actions_spec(5155, "http://127.0.0.1:8100").env
    given = processes.actions_spec(5155, "http://127.0.0.1:8100", actions_token="t" * 40)
    assert given.env[TOKEN_ENV] == "t" * 40


def test_rasa_and_the_action_server_log_json_when_the_app_does() -> None:
    json_specs = processes.system_specs(app_port=8100, rasa_port=5105, action_port=5155,
                                        tracker_db_url="sqlite:///trackers.db", log_format="json")
    for spec in json_specs:
        if spec.name in ("rasa", "actions"):
            flag = spec.argv.index("--logging-config-file")
            assert (processes.PROJECT_ROOT / spec.argv[flag + 1]).is_file()
    assert all("--logging-config-file" not in spec.argv for spec in _specs().values())


def test_the_action_server_listens_on_loopback_only() -> None:
    assert processes.actions_spec(5155, "http://127.0.0.1:8100").env["SANIC_HOST"] == "127.0.0.1"
    assert all(spec.env.get("SANIC_HOST", "127.0.0.1") == "127.0.0.1" for spec in _specs().values())


@pytest.mark.skipif(not (processes.RASA_VENV / "bin" / "rasa").exists(), reason="needs the Rasa environment")
def test_a_started_action_server_cannot_be_reached_on_another_address(tmp_path: Path) -> None:
    port = processes.free_port()
    running = processes.start(processes.actions_spec(port, "http://127.0.0.1:9"), tmp_path)
    try:
        processes.wait_healthy([running], timeout_s=120)
        # 127.0.0.2 is this machine too: a server bound to every interface answers there.
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.2", port), timeout=2).close()
    finally:
        processes.stop([running])
