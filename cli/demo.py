"""`ansinh demo`: believable demo data for trying the product."""

from __future__ import annotations

from datetime import date

import typer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cli.common import console, run_with_sessions, settings_or_exit
from models.demo import DemoReport, is_empty, make_demo
from models.protection import DataProtector


def demo(
    if_empty: bool = typer.Option(False, "--if-empty", help="Only when there is no beneficiary."),
    per_commune: int = typer.Option(8, min=1, max=1000, help="Beneficiaries per commune."),
) -> None:
    """Fill the registry with fictional beneficiaries, proxies and service points."""
    settings = settings_or_exit()

    async def work(sessions: async_sessionmaker[AsyncSession]) -> DemoReport | None:
        async with sessions() as session, session.begin():
            if if_empty and not await is_empty(session):
                return None
            protector = DataProtector.from_settings(settings)
            return await make_demo(
                session, protector=protector, per_commune=per_commune, today=date.today()
            )

    report = run_with_sessions(work)
    if report is None:
        console.print("demo data: the registry already has beneficiaries; left as it is")
    else:
        console.print(
            f"demo data: {report.beneficiaries} beneficiaries, {report.proxies} proxies, "
            f"{report.service_points} service points"
        )
