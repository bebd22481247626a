"""Help and safety: short answers to common questions, and a question for the commune officer."""

from __future__ import annotations

from sqlalchemy import select

from bot.dialog.engine import Ctx, Msg, Reply, State, entry, finish, goto, opt, retry, step
from bot.dialog.flows.common import NOT_UNDERSTOOD, home_commune
from models.places.loader import COMMUNE_COMMITTEE
from models.places.tables import Area, Organisation
from models.requests.service import ask_question

TOPICS = ("what", "why_account", "safe", "fees", "contact", "officer")
OFFICER = "officer"
MIN_QUESTION = 3


async def ask_topics(ctx: Ctx, st: State) -> list[Reply]:
    """The numbered questions."""
    del ctx, st
    options = tuple(opt(f"dialog.faq.opt.{topic}", topic) for topic in TOPICS)
    return [Reply("dialog.help.topics", options=options)]


async def ask_question_text(ctx: Ctx, st: State) -> list[Reply]:
    """Write the question."""
    del ctx, st
    return [Reply("dialog.help.ask_question")]


@entry("help")
async def help_topics(ctx: Ctx, st: State, arg: str) -> list[Reply]:
    """HELP / TRO GIUP / HD at any step (BACK returns to that step)."""
    del arg
    return await goto(ctx, st, "help", "topics")


@entry("officer")
async def officer(ctx: Ctx, st: State, arg: str) -> list[Reply]:
    """'Gặp cán bộ' / 'talk to an officer' at any step: the question for the commune officer."""
    del arg
    return await goto(ctx, st, "help", "question")


@step("help", "topics", ask=ask_topics)
async def on_topic(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """An answer; the list stays in force so another number can follow."""
    if msg.choice == OFFICER:
        return await goto(ctx, st, "help", "question")
    if msg.choice == "contact":
        return [await _contact(ctx, st)]
    if msg.choice in TOPICS:
        return [Reply(f"dialog.faq.{msg.choice}")]
    return await retry(ctx, st, NOT_UNDERSTOOD)


async def _contact(ctx: Ctx, st: State) -> Reply:
    """The commune office, with its phone number when the registry has it."""
    commune = await home_commune(ctx, st)
    if commune is None:
        return Reply("dialog.faq.contact")
    office = await _office(ctx, commune)
    if office is None or not office.phone:
        return Reply("dialog.faq.contact_commune", {"office": f"UBND {commune.name}"})
    return Reply("dialog.faq.contact_phone", {"office": office.name, "phone": office.phone})


async def _office(ctx: Ctx, commune: Area) -> Organisation | None:
    rows = await ctx.session.scalars(
        select(Organisation)
        .where(Organisation.kind == COMMUNE_COMMITTEE, Organisation.area_id == commune.id)
        .limit(1)
    )
    return rows.first()


@step("help", "question", ask=ask_question_text, free_text=True)
async def on_question(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """The text is kept as given for the officer (never logged); answered in 2 working days."""
    if len(msg.text) < MIN_QUESTION:
        return await retry(ctx, st, "dialog.help.question_empty")
    commune = await home_commune(ctx, st)
    question = await ask_question(
        ctx.session,
        channel=ctx.channel,
        address=ctx.address,
        text=msg.text,
        person_id=st.person_id,
        beneficiary_id=st.beneficiary_id,
        commune_id=commune.id if commune else None,
        now=ctx.now,
    )
    due = question.answer_due_by.isoformat() if question.answer_due_by else None
    return await finish(ctx, st, [Reply("dialog.help.question_received", {"date": due})])
