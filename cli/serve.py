"""`ansinh serve`: the web application."""

from __future__ import annotations

import uvicorn
from rich.panel import Panel

from api.app import create_app
from cli.common import console, settings_or_exit


def serve() -> None:
    """Serve the API, the webhooks and the sandbox on the configured host and port."""
    settings = settings_or_exit()
    base = f"http://{settings.host}:{settings.port}"
    console.print(
        Panel.fit(
            f"ansinh is running on {base}\n"
            f"  API docs (OpenAPI):  {base}/docs\n"
            f"  Health:              {base}/health\n"
            "Stop with Ctrl-C.",
            title="ansinh",
        )
    )
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
