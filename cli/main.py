"""The `ansinh` command line."""

from __future__ import annotations

import typer

from cli import db, places, serve, worker

app = typer.Typer(
    help="ansinh: the messaging service of Lạng Sơn's cashless welfare payments.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(db.app, name="db")
app.add_typer(places.app, name="places")
app.command(name="serve")(serve.serve)
app.command(name="worker")(worker.worker)


if __name__ == "__main__":
    app()
