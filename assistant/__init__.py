"""App wiring: settings, the FastAPI app factory, the CLI and logging."""
