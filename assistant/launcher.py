"""`make run`: start Rasa, the action server and the app, print the URL, stop all three on Ctrl-C.

A process that exits while the assistant runs is started again with a growing pause (`assistant.supervisor`),
as the compose deployment's restart policy does; the others keep serving meanwhile.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading

from assistant import processes
from assistant.config import PROJECT_ROOT, get_settings
from assistant.logging_setup import configure_logging
from assistant.supervisor import Supervisor

logger = logging.getLogger(__name__)


def main() -> int:
    settings = get_settings()
    configure_logging(settings.log_level)
    rasa_port = int(settings.rasa_url.rsplit(":", 1)[-1].rstrip("/"))
    action_port = int(settings.action_server_url.rsplit(":", 1)[-1].rstrip("/"))
    app_url = f"http://127.0.0.1:{settings.port}"
    log_dir = PROJECT_ROOT / "var" / "logs"
    specs = processes.system_specs(
        app_port=settings.port, rasa_port=rasa_port, action_port=action_port,
        tracker_db_url=f"sqlite:///{PROJECT_ROOT / 'var' / 'rasa_trackers.db'}",
        # The operator's secret (environment or .env); without one, a new one is made for this start.
        actions_token=settings.actions_token.get_secret_value() or None,
        log_format=settings.log_format,
    )
    running = [processes.start(spec, log_dir) for spec in specs]
    supervisor = Supervisor(log_dir)
    stop_event = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop_event.set())
    signal.signal(signal.SIGTERM, lambda *_: stop_event.set())
    try:
        processes.wait_healthy(running)
        sys.stdout.write(
            f"\nThe assistant is running.\n  Web widget and demo page: {app_url}/\n"
            f"  API documentation:        {app_url}/docs\n  Logs: {log_dir}\nPress Ctrl-C to stop.\n"
        )
        sys.stdout.flush()
        supervisor.watch(running)
        while not stop_event.wait(1.0):
            supervisor.check()
        return 0
    except processes.ProcessFailed as exc:
        logger.error("%s", exc)
        return 1
    finally:
        processes.stop(supervisor.running or running)
        sys.stdout.write("Stopped.\n")


if __name__ == "__main__":
    raise SystemExit(main())
