"""The `ansinh` command line."""

from __future__ import annotations

import typer

from cli import chat, db, demo, imports, keys, officers, places, serve, telegram, worker

app = typer.Typer(
    help="ansinh: the messaging service of Lạng Sơn's cashless welfare payments.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(db.app, name="db")
app.add_typer(places.app, name="places")
app.add_typer(imports.app, name="import")
app.add_typer(keys.app, name="keys")
app.add_typer(officers.app, name="officer")
app.command(name="serve")(serve.serve)
app.command(name="worker")(worker.worker)
app.command(name="demo")(demo.demo)
app.command(name="chat")(chat.chat)
app.add_typer(telegram.app, name="telegram")


if __name__ == "__main__":
    app()
