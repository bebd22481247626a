"""`ansinh keys …`: encryption-key rotation without downtime."""

from __future__ import annotations

import typer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cli.common import console, run_with_sessions, settings_or_exit
from models.protection import DataProtector, rotate_keys

app = typer.Typer(help="Encryption keys for personal data.", no_args_is_help=True)


@app.command()
def rotate(
    batch_size: int = typer.Option(500, min=1, max=10_000, help="Rows per transaction."),
) -> None:
    """Re-encrypt and re-hash every value still under an old key.

    Set the new key as ANSINH_DATA_KEY and the old one(s) in ANSINH_DATA_OLD_KEYS first: the
    service keeps reading both while this runs in short transactions, so nothing stops.
    """
    settings = settings_or_exit()
    if not settings.data_old_keys:
        console.print("No old key is configured (ANSINH_DATA_OLD_KEYS): nothing to rotate.")
        raise typer.Exit(0)

    async def work(sessions: async_sessionmaker[AsyncSession]) -> int:
        protector = DataProtector.from_settings(settings)
        async with sessions() as session:

            async def commit() -> None:
                await session.commit()

            changed = await rotate_keys(
                session, protector, batch_size=batch_size, after_batch=commit
            )
            await session.commit()
            return changed

    changed = run_with_sessions(work)
    console.print(f"{changed} encrypted values moved to the current key.")
    console.print("When every process runs with the new key, remove ANSINH_DATA_OLD_KEYS.")
