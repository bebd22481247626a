"""`ansinh officer …`: the first administrator, and keys for the paying bank's systems."""

from __future__ import annotations

import sys

import typer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cli.common import console, errors, run_with_sessions, settings_or_exit
from messages.render import render_text
from models.errors import DomainError
from models.officers.areas import areas_by_code
from models.officers.keys import create_api_key
from models.officers.roles import OFFICER_ROLES, Role
from models.officers.service import create_officer

app = typer.Typer(help="Officer accounts and API keys.", no_args_is_help=True)
ROLE_NAMES = ", ".join(r.value for r in OFFICER_ROLES)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def _fail(error: DomainError) -> typer.Exit:
    settings = settings_or_exit()
    errors.print(render_text(error.key, error.params, locale=settings.default_locale))
    return typer.Exit(1)


@app.command()
def create(
    username: str = typer.Option(..., help="Sign-in name: lower case, digits, . _ -"),
    role: Role = typer.Option(..., help=f"One of: {ROLE_NAMES}."),
    area: list[str] = typer.Option(..., help="Official code of an area (repeat): 20, 05977…"),
    display_name: str = typer.Option("", help="Full name shown in the audit log's context."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from the first line of standard input."
    ),
) -> None:
    """Create an officer account (the first province administrator, for instance)."""
    password = _password(password_stdin)

    async def work(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, str]:
        async with sessions() as session, session.begin():
            officer = await create_officer(
                session,
                username=username,
                display_name=display_name or username,
                role=role,
                area_ids=await areas_by_code(session, area),
                password=password,
                actor="cli",
            )
            return officer.id, officer.username

    try:
        officer_id, name = run_with_sessions(work)
    except DomainError as error:
        raise _fail(error) from None
    console.print(f"officer {name} created (id {officer_id}, role {role.value})")


@app.command(name="api-key")
def api_key(
    name: str = typer.Option(..., help="Whose system uses the key (the paying bank)."),
    area: list[str] = typer.Option(..., help="Official code of an area the key reaches (repeat)."),
) -> None:
    """Create a payer API key; the key is printed once and never shown again."""

    async def work(sessions: async_sessionmaker[AsyncSession]) -> str:
        async with sessions() as session, session.begin():
            ids = await areas_by_code(session, area)
            _, secret = await create_api_key(session, name=name, area_ids=ids, actor="cli")
            return secret

    try:
        secret = run_with_sessions(work)
    except DomainError as error:
        raise _fail(error) from None
    console.print("Store this key now; it will not be shown again:")
    console.print(secret, markup=False, highlight=False)
