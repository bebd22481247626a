"""Start: language, a plain explanation, explicit consent (nothing pre-selected)."""

from __future__ import annotations

from sqlalchemy import select

from bot.dialog.engine import (
    ENTRIES,
    Ctx,
    Msg,
    Reply,
    State,
    entry,
    finish,
    goto,
    opt,
    retry,
    step,
)
from bot.dialog.flows.common import (
    NO,
    NOT_UNDERSTOOD,
    YES,
    YES_NO,
    consented,
    give,
    record_consents,
)
from bot.dialog.flows.menu import LANGUAGES, set_locale
from bot.dialog.flows.who import pick_first
from models.conversations.people import beneficiary_of, mask_name, represented_by
from models.people.service import people_at_address
from models.people.tables import Consent, Person
from models.vocab import ConsentPurpose


async def ask_welcome(ctx: Ctx, st: State) -> list[Reply]:
    """Who we are, and the language question."""
    del ctx, st
    return [Reply("dialog.start.welcome"), Reply("dialog.language.ask", options=LANGUAGES)]


async def ask_consent(ctx: Ctx, st: State) -> list[Reply]:
    """What we keep and why, then the yes/no question."""
    del ctx, st
    return [Reply("dialog.start.explain"), Reply("dialog.start.consent", options=YES_NO)]


@entry("start")
async def start(ctx: Ctx, st: State, arg: str) -> list[Reply]:
    """The first message of a conversation."""
    del arg
    return await goto(ctx, st, "start", "language")


@step("start", "language", ask=ask_welcome)
async def on_language(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """Language chosen: explain and ask for consent."""
    if msg.choice not in ("vi", "en"):
        return await retry(ctx, st, NOT_UNDERSTOOD)
    await set_locale(ctx, st, msg.choice)
    if not consented(st):
        return await goto(ctx, st, "start", "consent")
    chosen = await pick_first(ctx, st, "")  # a known proxy chooses whom to act for
    return chosen or await finish(ctx, st, [Reply("dialog.language.set")])


@step("start", "consent", ask=ask_consent)
async def on_consent(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """Yes: who is writing? No: nothing personal is asked; ATMs and help stay open."""
    if msg.choice == YES:
        give(st, ctx)
        return await _who_next(ctx, st)
    if msg.choice == NO:
        return await finish(ctx, st, [Reply("dialog.start.declined")])
    return await retry(ctx, st, NOT_UNDERSTOOD)


@entry("register")
async def register(ctx: Ctx, st: State, arg: str) -> list[Reply]:
    """DK / 'Register': consent first, then who is writing; known people choose a method."""
    del arg
    if not consented(st):
        return await goto(ctx, st, "start", "consent")
    return await _who_next(ctx, st)


async def _who_next(ctx: Ctx, st: State) -> list[Reply]:
    """After consent: someone known chooses a method (saying first, when known only by their
    address, whether it is they who write); anyone else says who they are."""
    if st.beneficiary_id is not None or st.data.get("recognized") is not None:
        return await ENTRIES["pay"](ctx, st, "")
    return await goto(ctx, st, "who", "role")


async def ask_known(ctx: Ctx, st: State) -> list[Reply]:
    """'This address is on record for Hoàng V. S.: is it you?'"""
    person = await ctx.session.get(Person, st.person_id) if st.person_id else None
    name = mask_name(person.full_name) if person is not None else ""
    options = (opt("dialog.opt.its_me", YES), opt("dialog.opt.not_me", NO))
    return [Reply("dialog.start.known_as", {"name": name}, options=options)]


@step("start", "known", ask=ask_known)
async def on_known(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """It is they: their consent is recorded and they go on. Someone else: the owner's
    record and consent are left alone, and the writer says who they are."""
    if msg.choice not in (YES, NO):
        return await retry(ctx, st, NOT_UNDERSTOOD)
    st.data.pop("recognized", None)
    then = str(st.data.pop("after_known", "pay"))
    if msg.choice == YES:
        assert st.person_id is not None
        await record_consents(ctx, st, st.person_id, by=None)
        return await ENTRIES[then](ctx, st, "")
    st.person_id = st.beneficiary_id = None
    if (st.data.get("consent") or {}).get("of") is not None:  # the owner's, not the writer's
        st.data.pop("consent")
    if then != "pay":
        return await ENTRIES[then](ctx, st, "")
    if not consented(st):
        return await goto(ctx, st, "start", "consent")
    return await goto(ctx, st, "who", "role")


async def recognize(ctx: Ctx, st: State) -> None:
    """A new conversation from an address on record: the one person there is known already.

    An SMS comes from its number and an imported phone is the person's own, so a basic-phone
    user can ask TT (status) at once. Several people on one address stay unknown.
    """
    people = await people_at_address(ctx.session, ctx.address)
    if len(people) != 1:
        return
    person = people[0]
    own = await beneficiary_of(ctx.session, person.id)
    represented = await represented_by(ctx.session, person.id)
    if own is None and not represented:
        return
    st.person_id, st.locale = person.id, person.locale or st.locale
    st.data["recognized"] = person.id
    if own is not None:
        st.beneficiary_id = own.id
    elif len(represented) == 1:
        st.beneficiary_id = represented[0].beneficiary.id
    consent = await _standing_consent(ctx, person.id)
    if consent is not None:  # theirs ("of"): not the consent of someone else on their phone
        given = consent.given_at.isoformat()
        st.data["consent"] = {"version": consent.notice_version, "at": given, "of": person.id}


async def _standing_consent(ctx: Ctx, person_id: int) -> Consent | None:
    """The person's latest consent to processing still in force."""
    rows = await ctx.session.scalars(
        select(Consent)
        .where(
            Consent.person_id == person_id,
            Consent.purpose == ConsentPurpose.PROCESSING.value,
            Consent.withdrawn_at.is_(None),
        )
        .order_by(Consent.id.desc())
        .limit(1)
    )
    return rows.first()
