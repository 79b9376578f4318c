"""Start Rasa (`python -m nlu.launch run ...`, same arguments as `rasa`) with one measured fix.

It also keeps a `--logging-config-file` in charge: Rasa applies the file and then installs its own
coloured text handler over it, which would turn the JSON lines a log collector expects back into text.

Rasa 3.6 checks every action server response with `jsonschema.validate(response, schema)`, which first
validates the constant response *schema* against the JSON Schema 2020-12 meta-schema. Profiling a search
turn showed that meta-schema check alone was about a third of the Rasa process's CPU time. Here the
schema is checked once and compiled into a validator; every response is still validated in full and a
bad one raises the same `ValidationError` (best match, same message suffix) as before.

The fix applies only to the Rasa versions it was written against; any other version runs unchanged.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from nlu.components.rasa_series import PATCHED_RASA_SERIES, is_patched_series

logger = logging.getLogger(__name__)


def install_compiled_response_validation() -> bool:
    """Validate action server responses with a schema compiled once; False when this Rasa is not 3.6."""
    import rasa
    from jsonschema import exceptions, validators
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    if not is_patched_series(rasa.__version__):
        logger.warning("Rasa %s is not %sx: action responses are validated the stock way.",
                       rasa.__version__, PATCHED_RASA_SERIES)
        return False
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        error = exceptions.best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    return True


def keep_configured_logging(argv: list[str]) -> bool:
    """When `argv` names a logging config file, stop Rasa from replacing its handlers; True if it did."""
    if not any(arg == "--logging-config-file" or arg.startswith("--logging-config-file=") for arg in argv):
        return False
    import rasa.utils.io

    def _keep(loglevel: str | None) -> None:
        logging.getLogger().setLevel(loglevel or logging.INFO)

    rasa.utils.io.configure_colored_logging = _keep  # type: ignore[assignment]
    return True


def main() -> None:
    install_compiled_response_validation()
    keep_configured_logging(sys.argv[1:])
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
