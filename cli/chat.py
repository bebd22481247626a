"""`ansinh chat --as ADDRESS`: talk to ansinh in the terminal, seen as that channel shows it."""

from __future__ import annotations

import asyncio
import html
import re
from dataclasses import dataclass

import typer
from rich.panel import Panel
from rich.prompt import Prompt
from rich.text import Text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.channels.common import to_e164
from cli.common import console, errors, settings_or_exit
from messages.render import Rendered
from models.db import make_engine, make_sessionmaker
from models.protection import DataProtector
from models.settings import Settings

HELP = (
    "Write as the person would. /location LAT LON shares a place, /phone NUMBER shares a "
    "phone number (Telegram's buttons), /quit ends."
)
QUIT = frozenset({"/quit", "/exit", "/q"})
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True, slots=True)
class Said:
    """One thing the tester sends: text, or a shared location or phone."""

    text: str | None = None
    location: tuple[float, float] | None = None
    shared_phone: str | None = None


class NotUnderstood(ValueError):
    """A /command the chat cannot read."""


def parse_line(line: str) -> Said:
    """A typed line as what the person sends."""
    command, _, rest = line.strip().partition(" ")
    if command == "/location":
        try:
            lat, lon = (float(part) for part in rest.replace(",", " ").split())
        except ValueError:
            raise NotUnderstood("write /location LATITUDE LONGITUDE") from None
        return Said(location=(lat, lon))
    if command == "/phone":
        phone = to_e164(rest)
        if phone is None:
            raise NotUnderstood("write /phone followed by a phone number")
        return Said(shared_phone=phone)
    return Said(text=line)


def as_seen(rendered: Rendered) -> Panel:
    """A reply as the person sees it: SMS with its segment count, Telegram with its buttons."""
    if rendered.channel == "sms":
        info = f"{rendered.segments} SMS · {rendered.encoding} · {len(rendered.text)} characters"
        return Panel(Text(rendered.text), title="SMS", subtitle=info, title_align="left")
    body = Text(_plain(rendered.text) if rendered.parse_mode == "HTML" else rendered.text)
    if rendered.channel == "telegram" and rendered.choices:
        body.append("\n\n" + "  ".join(f"[ {c.label} ]" for c in rendered.choices), style="bold")
    return Panel(body, title=rendered.channel.capitalize(), title_align="left")


def _plain(markup: str) -> str:
    """Telegram's HTML as the app shows it, without the tags."""
    return html.unescape(_TAG.sub("", markup))


@dataclass
class ChatSession:
    """A database and the keys for one terminal conversation."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    protector: DataProtector

    @classmethod
    def open(cls, settings: Settings) -> ChatSession:
        """Connect to the configured database."""
        engine = make_engine(settings)
        protector = DataProtector.from_settings(settings)
        return cls(settings, engine, make_sessionmaker(engine), protector)

    async def say(self, address: str, said: Said) -> list[Rendered]:
        """Send `said` as `address`; ansinh's replies, rendered for its channel."""
        from bot.sandbox import converse  # the engine loads only for this command

        turn = await converse(
            self.sessions,
            address=address,
            text=said.text,
            settings=self.settings,
            protector=self.protector,
            location=said.location,
            shared_phone=said.shared_phone,
        )
        return [reply.rendered for reply in turn.replies]


def _ask() -> str | None:
    try:
        return str(Prompt.ask("[bold cyan]you[/bold cyan]", console=console))
    except (EOFError, KeyboardInterrupt):
        return None


def _talk(runner: asyncio.Runner, chat: ChatSession, address: str) -> None:
    """Read lines until /quit or the end of input; show each turn's replies."""
    while (line := _ask()) is not None:
        if line.strip().lower() in QUIT:
            return
        if not line.strip():
            continue
        try:
            said = parse_line(line)
        except NotUnderstood as problem:
            errors.print(f"[yellow]{problem}[/yellow]")
            continue
        for rendered in runner.run(chat.say(address, said)):
            console.print(as_seen(rendered))


def chat(
    address: str = typer.Option(
        ..., "--as", help="Who you are: tel:+84912345678 (SMS), telegram:<chat id>, zalo:<id>."
    ),
) -> None:
    """Talk to ansinh in the terminal as a person on a channel (sandbox mode only)."""
    settings = settings_or_exit()
    if not settings.sandbox:
        errors.print("[red]ansinh chat needs ANSINH_SANDBOX=true: its replies would go out.[/red]")
        raise typer.Exit(2)
    from bot.sandbox import BadAddress, channel_of

    address = address.strip()
    try:
        channel = channel_of(address)
    except BadAddress as problem:
        errors.print(f"[red]--as {address}: {problem}.[/red]")
        raise typer.Exit(2) from None
    console.print(f"Chatting as {address} on {channel}. {HELP}", style="dim")
    with asyncio.Runner() as runner:
        session = ChatSession.open(settings)
        try:
            _talk(runner, session, address)
        finally:
            runner.run(session.engine.dispose())
