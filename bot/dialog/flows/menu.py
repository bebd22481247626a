"""The main menu (what a person may do depends on consent and identity) and the language."""

from __future__ import annotations

from bot.dialog.engine import (
    ENTRIES,
    Ctx,
    Msg,
    Opt,
    Reply,
    State,
    ask_again,
    entry,
    go_back,
    goto,
    opt,
    retry,
    step,
)
from bot.dialog.flows.common import NOT_UNDERSTOOD, consented
from models.conversations.people import represented_by
from models.people.tables import Person

MENU = "dialog.menu"
LANGUAGES: tuple[Opt, ...] = (opt("dialog.opt.vi", "vi"), opt("dialog.opt.en", "en"))


async def _options(ctx: Ctx, st: State) -> tuple[Opt, ...]:
    if st.beneficiary_id is None and not consented(st):
        return (
            opt("dialog.menu.register", "register"),
            opt("dialog.menu.atm", "atm"),
            opt("dialog.menu.help", "help"),
            opt("dialog.menu.language", "language"),
        )
    proxy = st.person_id is not None and bool(await represented_by(ctx.session, st.person_id))
    first = "pay" if st.beneficiary_id is not None or proxy else "register"
    options = [
        opt(f"dialog.menu.{first}", first),
        opt("dialog.menu.status", "status"),
        opt("dialog.menu.atm", "atm"),
        opt("dialog.menu.help", "help"),
        opt("dialog.menu.mydata", "mydata"),
    ]
    if proxy:
        options.append(opt("dialog.menu.switch", "switch"))
    options.append(opt("dialog.menu.language", "language"))
    return tuple(options)


async def ask_menu(ctx: Ctx, st: State) -> list[Reply]:
    """The numbered main menu."""
    return [Reply(MENU, options=await _options(ctx, st))]


@entry("menu")
async def show_menu(ctx: Ctx, st: State, arg: str) -> list[Reply]:
    """Show the main menu (the flow was already left)."""
    del arg
    st.flow, st.step = "menu", "main"
    return await ask_menu(ctx, st)


@step("menu", "main", ask=ask_menu)
async def on_menu(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """A menu choice opens its flow."""
    if msg.choice is not None and msg.choice in ENTRIES:
        return await ENTRIES[msg.choice](ctx, st, "")
    return await retry(ctx, st, NOT_UNDERSTOOD)


# --- language -----------------------------------------------------------------------------
async def ask_language(ctx: Ctx, st: State) -> list[Reply]:
    """Vietnamese or English."""
    del ctx, st
    return [Reply("dialog.language.ask", options=LANGUAGES)]


async def set_locale(ctx: Ctx, st: State, locale: str) -> None:
    """Use `locale` from now on, in this conversation and for the person writing."""
    st.locale = locale
    if st.person_id is not None:
        person = await ctx.session.get(Person, st.person_id)
        if person is not None:
            person.locale = locale


@entry("language")
async def language(ctx: Ctx, st: State, arg: str) -> list[Reply]:
    """Ask for the language; afterwards the conversation goes back where it was."""
    del arg
    return await goto(ctx, st, "language", "pick")


@step("language", "pick", ask=ask_language)
async def on_language(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """Switch language and return to the step the person was at."""
    if msg.choice not in ("vi", "en"):
        return await retry(ctx, st, NOT_UNDERSTOOD)
    await set_locale(ctx, st, msg.choice)
    return [Reply("dialog.language.set"), *await go_back(ctx, st)]


@entry("set_language")
async def set_language(ctx: Ctx, st: State, arg: str) -> list[Reply]:
    """'English' or 'Tiếng Việt' typed at any step: switch and ask that step again."""
    await set_locale(ctx, st, arg)
    return [Reply("dialog.language.set"), *await ask_again(ctx, st)]
