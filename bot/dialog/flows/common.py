"""Helpers every flow shares: consent, names, encrypted values in the state, yes/no options."""

from __future__ import annotations

import base64
import re
from datetime import date, datetime
from typing import Any

from bot.dialog.engine import Ctx, Opt, Reply, State, goto, opt
from bot.dialog.words import NO, YES
from models.conversations.people import beneficiary_of
from models.messaging.service import enqueue
from models.people.consents import give_missing_consents
from models.people.tables import Beneficiary, Person
from models.places.tables import Area
from models.requests.service import latest_registration, local_date
from models.vocab import ConsentPurpose

YES_NO: tuple[Opt, ...] = (opt("choice.yes", YES), opt("choice.no", NO))
NOT_UNDERSTOOD = "dialog.not_understood"
NAME_INVALID = "dialog.name.invalid"
NOTICE_VERSION = "2026-01"  # the version of the words of dialog.start.consent; bump with them
MAX_NAME = 100
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


def consented(st: State) -> bool:
    """Whether the person agreed, in this conversation, to give personal data."""
    return isinstance(st.data.get("consent"), dict)


def give(st: State, ctx: Ctx) -> None:
    """Remember the consent just given (recorded with give_consent once we know who it is)."""
    st.data["consent"] = {"version": NOTICE_VERSION, "at": ctx.now.isoformat()}
    st.data.pop("withdrawn", None)


def consent_evidence(st: State, ctx: Ctx) -> tuple[str, datetime]:
    """(notice version, when the person said yes) of the consent given in this conversation."""
    consent = st.data.get("consent") or {}
    try:
        given = datetime.fromisoformat(str(consent.get("at")))
    except ValueError:
        given = ctx.now
    return str(consent.get("version") or NOTICE_VERSION), given


async def confirm_writer(ctx: Ctx, st: State, then: str) -> list[Reply] | None:
    """Someone known only by their address (a family often shares a phone) says whether it
    is they who write before choosing a method or seeing their data; None when not needed.
    The answer leads to the entry `then` (flows/start.py)."""
    recognized = st.data.get("recognized")
    if recognized is None:
        return None
    if recognized != st.person_id:  # someone else was identified meanwhile
        st.data.pop("recognized")
        return None
    st.data["after_known"] = then
    return await goto(ctx, st, "start", "known")


async def record_consents(ctx: Ctx, st: State, person_id: int, *, by: int | None) -> None:
    """The consent given in this conversation, recorded for the person where none stands:
    which notice, when the person said yes, through which channel, by whom (a proxy)."""
    version, given_at = consent_evidence(st, ctx)
    await give_missing_consents(
        ctx.session,
        person_id=person_id,
        purposes=(ConsentPurpose.PROCESSING, ConsentPurpose.MESSAGING),
        notice_version=version,
        channel=ctx.channel,
        given_by_person_id=by,
        now=given_at,
    )


def valid_name(text: str) -> str | None:
    """A person's name as typed (single spaces), or None when it cannot be one."""
    name = " ".join(text.split())
    letters = len(_LETTERS.findall(name))
    if not (2 <= len(name) <= MAX_NAME) or letters < 2 or any(ch.isdigit() for ch in name):
        return None
    if len(name.split()) > 8 or letters < len(name.replace(" ", "")) - 2:
        return None
    return name


def seal(ctx: Ctx, value: str) -> str:
    """An ID or account number encrypted for the conversation state (never kept in clear)."""
    return base64.b64encode(ctx.protector.encrypt(value)).decode("ascii")


def unseal(ctx: Ctx, sealed: str) -> str:
    """The clear value of `seal`."""
    return ctx.protector.decrypt(base64.b64decode(sealed))


def today(ctx: Ctx) -> date:
    """Today in Vietnam."""
    return local_date(ctx.now)


async def acting(ctx: Ctx, st: State) -> tuple[Beneficiary, Person] | None:
    """The beneficiary the conversation acts for, with their person record."""
    if st.beneficiary_id is None:
        return None
    beneficiary = await ctx.session.get(Beneficiary, st.beneficiary_id)
    if beneficiary is None:
        return None
    person = await ctx.session.get(Person, beneficiary.person_id)
    return (beneficiary, person) if person is not None else None


async def is_proxy(ctx: Ctx, st: State) -> bool:
    """Whether the writer acts for someone other than themselves."""
    if st.person_id is None or st.beneficiary_id is None:
        return False
    own = await beneficiary_of(ctx.session, st.person_id)
    return own is None or own.id != st.beneficiary_id


async def home_commune(ctx: Ctx, st: State) -> Area | None:
    """The commune of the beneficiary acted for, or of the registration sent from here."""
    commune_id = None
    found = await acting(ctx, st)
    if found is not None:
        commune_id = found[0].commune_id
    else:
        registration = await latest_registration(ctx.session, address=ctx.address)
        commune_id = registration.commune_id if registration else None
    return await ctx.session.get(Area, commune_id) if commune_id else None


async def notify(
    ctx: Ctx,
    st: State,
    *,
    key: str,
    params: dict[str, Any],
    address: str | None = None,
    message_class: str = "notice",
    person_id: int | None = None,
    expires_at: datetime | None = None,
) -> None:
    """Queue a notice besides the replies (a code by SMS, a confirmation)."""
    row = await enqueue(
        ctx.session,
        person_id=person_id,
        key=key,
        params=params,
        message_class=message_class,
        address=address or ctx.address,
        locale=st.locale,
        expires_at=expires_at,
        settings=ctx.settings,
        now=ctx.now,
    )
    if row is not None:
        ctx.queued.append(row)
