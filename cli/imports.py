"""`ansinh import …`: officers' spreadsheets into the registry."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cli.common import console, errors, run_with_sessions, settings_or_exit
from messages.render import render_text
from models.errors import DomainError
from models.people.importer import ImportReport, import_file
from models.people.tabular import read_table
from models.protection import DataProtector

app = typer.Typer(help="Import lists.", no_args_is_help=True)


def _show(report: ImportReport, locale: str, limit: int = 50) -> None:
    title = "Dry run: nothing was written" if report.dry_run else "Import finished"
    summary = Table(title=title)
    for column in ("rows", "created", "updated", "unchanged", "skipped", "area to confirm"):
        summary.add_column(column, justify="right")
    summary.add_row(
        *(
            str(v)
            for v in (
                report.rows,
                report.created,
                report.updated,
                report.unchanged,
                report.skipped,
                report.needs_area_confirmation,
            )
        )
    )
    console.print(summary)
    if report.ignored_columns:
        console.print("Columns not used: " + ", ".join(report.ignored_columns))
    if report.problems:
        problems = Table(title=f"Problems ({len(report.problems)})")
        for column in ("line", "field", "problem"):
            problems.add_column(column)
        for p in report.problems[:limit]:
            problems.add_row(str(p.line), p.field, render_text(p.key, p.params, locale=locale))
        console.print(problems)


@app.command()
def beneficiaries(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV or XLSX file."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check and count, write nothing."),
    actor: str = typer.Option("cli", help="Who is importing (recorded in the audit log)."),
) -> None:
    """Import a beneficiary list; re-importing the same file changes nothing."""
    settings = settings_or_exit()
    data = file.read_bytes()
    try:
        total = len(read_table(data, file.name).rows)
    except DomainError as error:
        errors.print(render_text(error.key, error.params, locale=settings.default_locale))
        raise typer.Exit(1) from None

    async def work(sessions: async_sessionmaker[AsyncSession]) -> ImportReport:
        protector = DataProtector.from_settings(settings)
        with Progress(console=console) as bar:
            task = bar.add_task("importing", total=total)
            async with sessions() as session, session.begin():
                report = await import_file(
                    session,
                    protector=protector,
                    data=data,
                    filename=file.name,
                    actor=actor,
                    today=date.today(),
                    dry_run=dry_run,
                    progress=lambda n: bar.advance(task, n),
                )
                if dry_run:
                    await session.rollback()
        return report

    _show(run_with_sessions(work), settings.default_locale)
