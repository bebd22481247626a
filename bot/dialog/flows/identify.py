"""Identify the beneficiary: CCCD + birth date (+ name for a proxy), matched in the registry.

Found: the conversation is linked and the address added to the writer. Not found: the
details go to the commune officer as a registration request (flows/register.py).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.dialog.engine import (
    CALL_COMMUNE,
    ENTRIES,
    Ctx,
    Msg,
    Reply,
    State,
    finish,
    goto,
    opt,
    retry,
    step,
)
from bot.dialog.flows.common import (
    NAME_INVALID,
    NOT_UNDERSTOOD,
    record_consents,
    seal,
    today,
    unseal,
    valid_name,
)
from bot.dialog.flows.who import SELF
from models.conversations.people import (
    beneficiary_of,
    identification_locked,
    link_address,
    mask_name,
    names_match,
    record_identification_failure,
)
from models.people.identifiers import parse_birth_year, parse_cccd, parse_written_date
from models.people.representations import request_representation
from models.people.service import find_person_by_cccd
from models.people.tables import Beneficiary, Person
from models.protection import mask_cccd
from models.requests.service import ReviewKind, create_review_item
from models.requests.tables import ReviewItem
from models.vocab import RepresentationKind, RepresentationStatus

MAX_LOOKUPS = 3
KEEP, RETYPE, SEND_REGISTRATION = "keep", "retype", "send_registration"
DETAILS = ("birth", "full_date_asked", "name")  # what is given about the CCCD typed
IDENTITY_KEYS = ("cccd_enc", "cccd_year", *DETAILS, "id_fail")


async def ask_cccd(ctx: Ctx, st: State) -> list[Reply]:
    """The beneficiary's CCCD."""
    del ctx
    return [Reply("dialog.identify.ask_cccd_self" if _self(st) else "dialog.identify.ask_cccd")]


async def ask_birth(ctx: Ctx, st: State) -> list[Reply]:
    """The beneficiary's birth date (the whole date, once a year alone was not enough)."""
    del ctx
    if st.data.get("full_date_asked"):
        return [Reply("dialog.identify.full_date_needed")]
    return [Reply("dialog.identify.ask_birth")]


async def ask_year_check(ctx: Ctx, st: State) -> list[Reply]:
    """The CCCD says another birth year: keep the date or type it again?"""
    del ctx
    options = (opt("dialog.opt.keep_date", KEEP), opt("dialog.opt.retype", RETYPE))
    params = {"card_year": int(st.data.get("cccd_year", 0))}
    return [Reply("dialog.identify.year_differs", params, options=options)]


async def ask_not_found(ctx: Ctx, st: State) -> list[Reply]:
    """No record: the number shown masked, to check it, or a registration request."""
    options = (
        opt("dialog.opt.retype", RETYPE),
        opt("dialog.opt.send_registration", SEND_REGISTRATION),
    )
    params = {"cccd": mask_cccd(unseal(ctx, st.data["cccd_enc"]))}
    return [Reply("dialog.identify.not_found", params, options=options)]


async def ask_name(ctx: Ctx, st: State) -> list[Reply]:
    """The beneficiary's full name (asked of a proxy)."""
    del ctx, st
    return [Reply("dialog.identify.ask_name")]


def _forget_identity(st: State) -> None:
    """The CCCD, birth date and name typed leave the conversation (found, refused or locked)."""
    for key in IDENTITY_KEYS:
        st.data.pop(key, None)


def _self(st: State) -> bool:
    return st.data.get("role", SELF) == SELF


@step("identify", "cccd", ask=ask_cccd, sensitive=True, max_failures=3)
async def on_cccd(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """A valid CCCD is kept encrypted until the look-up."""
    parsed = parse_cccd(msg.text, today=today(ctx))
    if parsed.error is not None:
        return await retry(ctx, st, parsed.error.key, parsed.error.params)
    assert parsed.value is not None
    for key in DETAILS:  # another number (after BACK): its details start afresh
        st.data.pop(key, None)
    st.data["cccd_enc"] = seal(ctx, parsed.value.number)
    st.data["cccd_year"] = parsed.value.birth_year
    return await goto(ctx, st, "identify", "birth")


@step("identify", "birth", ask=ask_birth, sensitive=True, max_failures=3)
async def on_birth(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """A real past date, or the year alone when the papers give no more; a year that
    disagrees with the CCCD is questioned, not refused."""
    if "cccd_enc" not in st.data:  # the CCCD was let go (typed again): ask it first
        return await _ask_cccd_anew(ctx, st)
    born = parse_written_date(msg.text).value
    year = born.year if born is not None else parse_birth_year(msg.text)
    if year is None or not 1900 <= year <= today(ctx).year or (born and born > today(ctx)):
        whole = st.data.get("full_date_asked")  # then a year alone will not do
        return await retry(ctx, st, "id.date.invalid" if whole else "dialog.identify.bad_birth")
    st.data["birth"] = born.isoformat() if born is not None else str(year)
    if year != st.data.get("cccd_year"):
        return await goto(ctx, st, "identify", "year_check")
    return await _after_birth(ctx, st)


@step("identify", "year_check", ask=ask_year_check, sensitive=True)
async def on_year_check(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """Records often carry errors: the person decides, an officer checks later."""
    if msg.choice == KEEP:
        return await _after_birth(ctx, st)
    if msg.choice == RETYPE:
        return await goto(ctx, st, "identify", "birth")
    return await retry(ctx, st, NOT_UNDERSTOOD)


@step("identify", "name", ask=ask_name, sensitive=True, free_text=True, max_failures=3)
async def on_name(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """The name a proxy gives is compared with the record, forgiving accents and typos."""
    name = valid_name(msg.text)
    if name is None:
        return await retry(ctx, st, NAME_INVALID)
    st.data["name"] = name
    return await _look_up(ctx, st)


async def _after_birth(ctx: Ctx, st: State) -> list[Reply]:
    if _self(st) or (st.data.get("full_date_asked") and "name" in st.data):  # name given
        return await _look_up(ctx, st)
    return await goto(ctx, st, "identify", "name")


def given_birth(st: State) -> date | int:
    """The birth date given, or its year alone when that is all the person's papers say."""
    text = str(st.data["birth"])
    return int(text) if text.isdigit() else date.fromisoformat(text)


def _birth_matches(person: Person, birth: date | int) -> bool:
    """A full date must be the record's; a year alone only matches a record without a date."""
    if isinstance(birth, int):
        return person.birth_date is None and person.birth_year == birth
    if person.birth_date is not None:
        return person.birth_date == birth
    return person.birth_year == birth.year


def _needs_full_date(person: Person, birth: date | int) -> bool:
    """A year alone for a record that has the whole date: ask for the date, before comparing
    anything, so that the answer tells nothing of whether the year or a proxy's name is right."""
    return isinstance(birth, int) and person.birth_date is not None


async def _look_up(ctx: Ctx, st: State) -> list[Reply]:
    if "cccd_enc" not in st.data or "birth" not in st.data:  # let go meanwhile: ask again
        return await _ask_cccd_anew(ctx, st)
    cccd = unseal(ctx, st.data["cccd_enc"])
    birth = given_birth(st)
    person = await find_person_by_cccd(ctx.session, protector=ctx.protector, cccd=cccd)
    beneficiary = await beneficiary_of(ctx.session, person.id) if person else None
    if person is None or beneficiary is None:  # a digit wrong, or not on the registry yet
        return await goto(ctx, st, "identify", "not_found")
    if await identification_locked(ctx.session, person.id, ctx.now):  # no more guesses today
        _forget_identity(st)
        return await finish(ctx, st, [Reply("dialog.identify.locked")])
    if _needs_full_date(person, birth):
        if not st.data.get("full_date_asked"):
            del st.data["birth"]
            st.data["full_date_asked"] = True
            return await goto(ctx, st, "identify", "birth")
        # the year alone again: the date is not known. Typing the number again would not help
        await record_identification_failure(
            ctx.session, person_id=person.id, address=ctx.address, now=ctx.now
        )
        _forget_identity(st)
        return await finish(ctx, st, [Reply("dialog.identify.full_date_unknown")])
    name = st.data.get("name")
    if _birth_matches(person, birth) and (_self(st) or names_match(str(name), person.full_name)):
        return await _link(ctx, st, beneficiary, person)
    await record_identification_failure(
        ctx.session, person_id=person.id, address=ctx.address, now=ctx.now
    )
    return await _mismatch(ctx, st)


@step("identify", "not_found", ask=ask_not_found, sensitive=True)
async def on_not_found(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """Type the CCCD again (a look-up like any other: three at most), or ask to register."""
    if msg.choice == SEND_REGISTRATION:
        return await goto(ctx, st, "register", "name" if _self(st) else "commune")
    if msg.choice == RETYPE:
        return await _again(ctx, st, [])
    if msg.choice is None and parse_cccd(msg.text, today=today(ctx)).value is not None:
        asked = await _again(ctx, st, [])  # the number typed again straight away
        return await on_cccd(ctx, st, msg) if st.step == "cccd" else asked
    return await retry(ctx, st, NOT_UNDERSTOOD)


async def _mismatch(ctx: Ctx, st: State) -> list[Reply]:
    """Found, but the details disagree: start again, three times at most."""
    return await _again(ctx, st, [Reply("dialog.identify.no_match")])


async def _again(ctx: Ctx, st: State, said: list[Reply]) -> list[Reply]:
    """Ask the CCCD again after a look-up that failed; the third suggests the commune office."""
    failures = int(st.data.get("id_fail", 0)) + 1
    _forget_identity(st)
    if failures >= MAX_LOOKUPS:
        return await finish(ctx, st, [*said, Reply(CALL_COMMUNE)])
    st.data["id_fail"] = failures
    return [*said, *await _ask_cccd_anew(ctx, st)]


async def _ask_cccd_anew(ctx: Ctx, st: State) -> list[Reply]:
    """The CCCD question, with BACK no longer leading to the steps of the number let go."""
    st.data["_back"] = [entry for entry in st.data.get("_back", []) if entry[0] != "identify"]
    st.flow, st.step, st.failures = "identify", "cccd", 0
    return await ask_cccd(ctx, st)


async def _link(ctx: Ctx, st: State, beneficiary: Beneficiary, person: Person) -> list[Reply]:
    """Link the conversation; record consent and, for a proxy, the pending representation."""
    replies = [Reply("dialog.identify.found", {"name": mask_name(person.full_name)})]
    if _self(st):
        st.person_id = person.id
        person.locale = st.locale  # the language they chose here is theirs from now on
        await link_address(ctx.session, person_id=person.id, address=ctx.address)
    elif await _represent(ctx, st, beneficiary) == RepresentationStatus.PENDING:
        replies.append(Reply("dialog.proxy.pending"))  # bring the paper; not once it is checked
    st.beneficiary_id = beneficiary.id
    await record_consents(ctx, st, person.id, by=st.person_id)
    _forget_identity(st)
    st.data["_back"] = []  # identification is done: BACK must not reopen it
    return [*replies, *await after_identified(ctx, st)]


async def _represent(ctx: Ctx, st: State, beneficiary: Beneficiary) -> str:
    """The representation requested (or the one in force already); returns its status."""
    assert st.person_id is not None
    representation = await request_representation(
        ctx.session,
        beneficiary_id=beneficiary.id,
        proxy_person_id=st.person_id,
        kind=RepresentationKind(st.data.get("role", RepresentationKind.AUTHORIZED.value)),
        relationship_to=st.data.get("relationship"),
        actor=ctx.actor,
    )
    queued = await ctx.session.scalar(
        select(ReviewItem.id).where(ReviewItem.representation_id == representation.id).limit(1)
    )
    if queued is None and representation.status == "pending":
        await create_review_item(
            ctx.session,
            kind=ReviewKind.PROXY,
            payload={"kind": representation.kind, "relationship": representation.relationship_to},
            beneficiary_id=beneficiary.id,
            person_id=st.person_id,
            commune_id=beneficiary.commune_id,
            representation_id=representation.id,
            now=ctx.now,
        )
    return representation.status


async def after_identified(ctx: Ctx, st: State) -> list[Reply]:
    """Choose how to be paid; the phone is proven first where needed (flows/phone.py)."""
    assert st.person_id is not None
    return await ENTRIES["pay"](ctx, st, "")
