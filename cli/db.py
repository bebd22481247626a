"""`ansinh db …`: schema migrations."""

from __future__ import annotations

import typer

from cli.common import console, settings_or_exit
from models import migrate

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    settings = settings_or_exit()
    migrate.upgrade(settings.database_url, revision)
    console.print(f"database at revision {revision}")


@app.command()
def downgrade(revision: str = typer.Argument(..., help="Target revision, or 'base'.")) -> None:
    """Undo migrations down to REVISION."""
    settings = settings_or_exit()
    migrate.downgrade(settings.database_url, revision)
    console.print(f"database at revision {revision}")
