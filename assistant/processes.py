"""Start the three processes (app, Rasa, action server), wait until healthy, stop them together.

Used by `make run` (through `assistant.launcher`) and by the end-to-end tests, so both start the system
the same way. The app and the action server share a secret (`ASSISTANT_ACTIONS_TOKEN`): the caller's, or a
new random one per start, so the action server's write routes are closed without any configuration.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from assistant.config import PROJECT_ROOT

logger = logging.getLogger(__name__)

RASA_VENV = PROJECT_ROOT / ".venv-rasa"
APP_VENV = PROJECT_ROOT / ".venv"
MODEL_DIR = PROJECT_ROOT / "nlu" / "models"
# Relative: Rasa and the action server run from the project root (and from /srv/assistant in the images).
JSON_LOGGING_CONFIG = "nlu/logging-json.yml"
ACTIONS_TOKEN_ENV = "ASSISTANT_ACTIONS_TOKEN"


class ProcessFailed(RuntimeError):
    """A process exited or did not become healthy in time."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ProcessSpec:
    name: str
    argv: Sequence[str]
    health_url: str
    env: Mapping[str, str] = field(default_factory=dict, repr=False)  # holds the shared secret
    cwd: Path = PROJECT_ROOT


@dataclass
class RunningProcess:
    spec: ProcessSpec
    process: subprocess.Popen[bytes]
    log_path: Path


def _logging_args(log_format: str) -> list[str]:
    """Rasa's and the action server's own log lines in the app's JSON format when the app logs JSON."""
    return ["--logging-config-file", JSON_LOGGING_CONFIG] if log_format == "json" else []


def rasa_spec(
    port: int, action_port: int, *, tracker_db_url: str, workers: int = 1, redis_host: str | None = None,
    log_format: str = "text",
) -> ProcessSpec:
    """Rasa from the repository root, so it finds the `nlu.components` package of the pipeline.

    More than one worker needs the Redis lock store (`redis_host`), or two workers could process one
    conversation at once.
    """
    if workers > 1 and redis_host is None:
        raise ValueError(f"{workers} Rasa workers need the Redis lock store: pass redis_host.")
    env = {"RASA_ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
           "RASA_TRACKER_STORE_URL": tracker_db_url, "SANIC_WORKERS": str(workers)}
    endpoints = "nlu/endpoints.yml"
    if redis_host is not None:
        endpoints = "nlu/endpoints-replicated.yml"
        env["RASA_LOCK_STORE_HOST"] = redis_host
    return ProcessSpec(
        name="rasa",
        # `nlu.launch` is `rasa` plus a measured fix (action responses checked against a compiled schema).
        argv=[str(RASA_VENV / "bin" / "python"), "-m", "nlu.launch", "run", "--enable-api", "--model", str(MODEL_DIR),
              "--endpoints", endpoints, "--port", str(port), "--interface", "127.0.0.1", *_logging_args(log_format)],
        health_url=f"http://127.0.0.1:{port}/status",
        env=env,
    )


def new_actions_token() -> str:
    """A fresh shared secret for one start of the system (never written to disk or logged)."""
    return secrets.token_urlsafe(32)


def actions_spec(
    port: int, api_url: str, *, api_timeout_s: float | None = None, actions_token: str | None = None,
    log_format: str = "text", host: str = "127.0.0.1",
) -> ProcessSpec:
    """The action server; `actions_token` must be the app's (`None` leaves what the environment has).

    It listens on `host` only: loopback, where Rasa reaches it here (rasa-sdk reads `SANIC_HOST` and would
    otherwise listen on every interface, open to the network). The images set their own address.
    """
    env = {"ASSISTANT_API_URL": api_url, "SANIC_HOST": host}
    if actions_token is not None:
        env[ACTIONS_TOKEN_ENV] = actions_token
    if api_timeout_s is not None:
        env["ASSISTANT_API_TIMEOUT_S"] = str(api_timeout_s)
    return ProcessSpec(
        name="actions",
        argv=[str(RASA_VENV / "bin" / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port),
              *_logging_args(log_format)],
        health_url=f"http://127.0.0.1:{port}/health",
        env=env,
    )


def app_spec(port: int, env: Mapping[str, str]) -> ProcessSpec:
    return ProcessSpec(
        name="app",
        argv=[str(APP_VENV / "bin" / "assistant"), "serve"],
        health_url=f"http://127.0.0.1:{port}/healthz",
        env={"ASSISTANT_PORT": str(port), **env},
    )


def system_specs(
    *, app_port: int, rasa_port: int, action_port: int, tracker_db_url: str,
    app_env: Mapping[str, str] | None = None, rasa_workers: int = 1, redis_host: str | None = None,
    actions_token: str | None = None, log_format: str = "text",
) -> list[ProcessSpec]:
    """The three processes wired to each other on loopback, in start order.

    `actions_token` is the operator's shared secret; without one, a new one is made for this start.
    """
    app_url = f"http://127.0.0.1:{app_port}"
    token = actions_token or new_actions_token()
    return [
        actions_spec(action_port, app_url, actions_token=token, log_format=log_format),
        rasa_spec(rasa_port, action_port, tracker_db_url=tracker_db_url, workers=rasa_workers,
                  redis_host=redis_host, log_format=log_format),
        app_spec(app_port, {
            "ASSISTANT_RASA_URL": f"http://127.0.0.1:{rasa_port}",
            "ASSISTANT_ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}",
            **(app_env or {}),
            ACTIONS_TOKEN_ENV: token,
        }),
    ]


def start(spec: ProcessSpec, log_dir: Path) -> RunningProcess:
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{spec.name}.log"
    env = {**os.environ, **spec.env}
    with log_path.open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 - argv is built here, never from user input
            list(spec.argv), cwd=spec.cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    logger.info("started %s (pid %s), log %s", spec.name, process.pid, log_path)
    return RunningProcess(spec, process, log_path)


def wait_healthy(running: Sequence[RunningProcess], timeout_s: float = 240.0) -> None:
    deadline = time.monotonic() + timeout_s
    pending = list(running)
    while pending:
        for item in list(pending):
            if item.process.poll() is not None:
                raise ProcessFailed(f"{item.spec.name} exited with code {item.process.returncode}; "
                                    f"see {item.log_path}")
            try:
                if httpx.get(item.spec.health_url, timeout=2.0).status_code == 200:
                    pending.remove(item)
                    logger.info("%s is healthy", item.spec.name)
            except httpx.HTTPError:
                pass  # not listening yet: keep polling until the deadline
        if pending and time.monotonic() > deadline:
            names = ", ".join(p.spec.name for p in pending)
            raise ProcessFailed(f"not healthy after {timeout_s:.0f} s: {names}")
        if pending:
            time.sleep(0.5)


def stop(running: Sequence[RunningProcess], grace_s: float = 10.0) -> None:
    """Terminate whole process groups (Rasa forks Sanic workers), then kill what is left."""
    for item in running:
        if item.process.poll() is None:
            os.killpg(item.process.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    for item in running:
        try:
            item.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(item.process.pid, signal.SIGKILL)
            item.process.wait()
