"""`ansinh places …`: administrative units, organisations, commune search."""

from __future__ import annotations

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cli.common import console, run_with_sessions
from models.db import transaction
from models.places import service
from models.places.service import AreaMatch, LoadReport

app = typer.Typer(
    help="Administrative units, organisations and service points.", no_args_is_help=True
)


@app.command()
def load() -> None:
    """Load Lạng Sơn's current and former units, the conversion, banks and committees."""

    async def work(sessions: async_sessionmaker[AsyncSession]) -> tuple[LoadReport, int]:
        async with transaction(sessions) as session:
            report = await service.load_units(session)
            return report, await service.load_organisations(session)

    report, organisations = run_with_sessions(work)
    table = Table(
        "rows", "created", "updated", "unchanged", "removed", title="Administrative units"
    )
    for kind, *counts in report.rows():
        table.add_row(kind, *(str(c) for c in counts))
    console.print(table)
    console.print(f"organisations created or updated: {organisations}")


@app.command()
def search(
    query: str = typer.Argument(..., help="A commune name, with or without accents."),
    legacy: bool = typer.Option(False, "--legacy", help="Also search the former communes."),
    limit: int = typer.Option(5, min=1, help="How many matches to show."),
) -> None:
    """Find communes by name (accents, case, 'xã'/'phường' and small typos forgiven)."""

    async def work(sessions: async_sessionmaker[AsyncSession]) -> list[AreaMatch]:
        async with transaction(sessions) as session:
            return await service.search_communes(session, query, include_legacy=legacy, limit=limit)

    matches = run_with_sessions(work)
    if not matches:
        console.print("no commune matches")
        raise typer.Exit(1)
    table = Table("code", "name", "score", "now part of")
    for match in matches:
        now_in = ", ".join(a.name for a in match.now_in)
        name = match.area.name
        if match.area.legacy:
            district = f", {match.district.name}" if match.district else ""
            name = f"{name} (before 2025-07-01{district})"
        table.add_row(match.area.code, name, f"{match.score:.2f}", now_in)
    console.print(table)
