"""The phone: typed in any common form or shared with Telegram's button, proven by an SMS code."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.dialog.engine import ENTRIES, Ctx, Msg, Opt, Reply, State, goto, opt, retry, step
from bot.dialog.flows.common import NO, NOT_UNDERSTOOD, YES, YES_NO, notify
from models.conversations.codes import CODE_MINUTES, RATE_WINDOW, check_code, issue_code
from models.conversations.people import (
    address_proven,
    identifying_phone,
    keep_proven_phone,
    link_address,
)
from models.people.identifiers import parse_phone
from models.protection import mask_phone

SHARE_CONTACT = "share_contact"  # the Telegram adapter turns this option into the share button
RESEND, OTHER = "resend", "other"
AGAIN: tuple[Opt, ...] = (opt("dialog.opt.resend", RESEND), opt("dialog.opt.other_number", OTHER))
_NOT_DIGITS = re.compile(r"\D+")


async def ask_number(ctx: Ctx, st: State) -> list[Reply]:
    """The mobile number; Telegram also offers 'share my phone number'."""
    del st
    if ctx.channel == "telegram":
        share = (Opt(SHARE_CONTACT, key="dialog.opt.share_contact"),)
        return [Reply("dialog.phone.ask", options=share, request_contact=True)]
    return [Reply("dialog.phone.ask")]


async def ask_old(ctx: Ctx, st: State) -> list[Reply]:
    """An old 11-digit number: is this the new one?"""
    del ctx
    suggestion = "0" + str(st.data.get("phone_suggestion", "")).removeprefix("+84")
    return [Reply("id.phone.old_format", {"suggestion": suggestion}, options=YES_NO)]


async def ask_code(ctx: Ctx, st: State) -> list[Reply]:
    """The six digits sent by SMS (to the phone on record, when it is the owner's proof)."""
    del ctx
    phone = mask_phone(str(st.data.get("phone", "")))
    params = {"phone": phone, "minutes": CODE_MINUTES}
    if st.data.get("owner_phone"):
        return [Reply("dialog.phone.ask_owner_code", params, options=AGAIN)]
    return [Reply("dialog.phone.ask_code", params)]


async def phone_gate(ctx: Ctx, st: State, then: str) -> list[Reply] | None:
    """None when the writer has proven, in this chat, a phone that is theirs; otherwise the
    step that proves one, after which the conversation goes on to the entry `then`.

    A writer with a phone on record (proven before, or on an officer's list) proves that
    phone from any new chat or number, the code going to it, so that knowing someone's CCCD
    and birth date is not enough to choose how they are paid, and no way round the question
    (MENU, then DK) skips it. One who no longer has that phone proves another, which is not
    kept as theirs, and what they choose is flagged for the commune officer.
    """
    writer = st.person_id
    if writer is None or await address_proven(ctx.session, writer, ctx.address):
        return None
    if st.data.get("owner_unproven") and st.data.get("phone_verified"):
        return None  # another number proven here: the officer checks what is chosen
    owner = await identifying_phone(ctx.session, writer)
    if ctx.channel == "sms" and owner in (None, ctx.address.removeprefix("tel:")):
        # the message came from that very phone, or from the first one of someone with none
        await link_address(ctx.session, person_id=writer, address=ctx.address, verified_at=ctx.now)
        return None
    st.data["after_phone"] = then
    if owner is not None and not st.data.get("owner_unproven"):
        st.data["owner_phone"] = owner
        return await _send_code(ctx, st, owner)
    return await goto(ctx, st, "phone", "number")


@step("phone", "number", ask=ask_number, max_failures=3)
async def on_number(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """Validate the number (old numbers are converted after asking), then send a code."""
    raw = msg.phone or msg.text
    st.data.pop("owner_phone", None)  # a number typed is not the one on record
    if msg.choice == SHARE_CONTACT and not msg.phone:
        return await retry(ctx, st, "id.phone.empty")
    parsed = parse_phone(raw)
    if parsed.error is not None and parsed.suggestion:
        st.data["phone_suggestion"] = parsed.suggestion
        return await goto(ctx, st, "phone", "old")
    if parsed.error is not None:
        return await retry(ctx, st, parsed.error.key, parsed.error.params)
    assert parsed.value is not None
    return await _send_code(ctx, st, parsed.value)


@step("phone", "old", ask=ask_old)
async def on_old(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """Yes: use the converted number; no: type it again."""
    if msg.choice == YES:
        return await _send_code(ctx, st, str(st.data.pop("phone_suggestion")))
    if msg.choice == NO:
        st.data.pop("phone_suggestion", None)
        return await goto(ctx, st, "phone", "number")
    return await retry(ctx, st, NOT_UNDERSTOOD)


async def _send_code(ctx: Ctx, st: State, phone: str) -> list[Reply]:
    if ctx.channel == "sms" and ctx.address == f"tel:{phone}":
        return await _verified(ctx, st, phone)  # the message itself came from this phone
    code = await issue_code(
        ctx.session, protector=ctx.protector, address=ctx.address, phone=phone, now=ctx.now
    )
    if code is None:
        minutes = int(RATE_WINDOW.total_seconds() // 60)
        st.flow, st.step = "phone", "number"
        return [Reply("dialog.phone.too_many", {"minutes": minutes})]
    await notify(
        ctx,
        st,
        key="notice.verification_code",
        params={"code": code, "minutes": CODE_MINUTES},
        address=f"tel:{phone}",
        message_class="reply",  # a code is wanted now, at any hour
        expires_at=ctx.now + timedelta(minutes=CODE_MINUTES),  # never sent once useless
    )
    st.data["phone"] = phone
    return await goto(ctx, st, "phone", "code")


@step("phone", "code", ask=ask_code, sensitive=True)
async def on_code(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """Three tries within five minutes; then a new code or another number."""
    phone = str(st.data.get("phone", ""))
    if msg.choice == RESEND:
        return await _send_code(ctx, st, phone)
    if msg.choice == OTHER:
        if st.data.pop("owner_phone", None):  # no longer has the phone on record
            st.data["owner_unproven"] = True
        return await goto(ctx, st, "phone", "number")
    digits = _NOT_DIGITS.sub("", msg.text)
    if len(digits) != 6 or len(msg.text) > 20:
        return await retry(ctx, st, "dialog.phone.code_format")
    check = await check_code(
        ctx.session,
        protector=ctx.protector,
        address=ctx.address,
        phone=phone,
        code=digits,
        now=ctx.now,
    )
    if check.ok:
        return await _verified(ctx, st, phone)
    if check.status == "wrong":
        return [Reply("dialog.phone.code_wrong", {"left": check.attempts_left})]
    key = "dialog.phone.code_locked" if check.status == "locked" else "dialog.phone.code_expired"
    return [Reply(key, options=AGAIN)]


async def _verified(ctx: Ctx, st: State, phone: str) -> list[Reply]:
    """The phone is proven: keep it for the writer, and the chat as theirs, and go on where
    the flow was heading. A number other than the one on record is not kept as theirs: what
    is chosen with it is flagged for the officer."""
    if st.person_id is not None and not await keep_proven_phone(
        ctx.session,
        person_id=st.person_id,
        phone=phone,
        chat_address=ctx.address,
        now=ctx.now,
        doubted=bool(st.data.get("owner_unproven")),
    ):
        st.data["owner_unproven"] = True
    st.data.pop("owner_phone", None)
    st.data.pop("phone", None)
    st.data["phone_verified"] = phone
    st.data["_back"] = []
    done = Reply("dialog.phone.verified", {"phone": mask_phone(phone)})
    after = str(st.data.pop("after_phone", "pay"))
    return [done, *await ENTRIES[after](ctx, st, "")]
