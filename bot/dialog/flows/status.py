"""Status: the record's state, the current method (masked), the last payments, the next one."""

from __future__ import annotations

from bot.dialog.engine import Ctx, Reply, State, entry, finish
from bot.dialog.flows.common import acting, is_proxy
from bot.dialog.flows.who import pick_first
from models.conversations.people import mask_name, representation_status
from models.conversations.status import next_payment_due, recent_payments
from models.outreach.sessions import expected_at, session_params
from models.payments.service import current_choice
from models.payments.tables import PaymentMethodChoice
from models.people.tables import Beneficiary
from models.requests.service import ReviewKind, latest_registration, local_date, pending_review
from models.vocab import RepresentationStatus, Verification


async def _state_label(ctx: Ctx, st: State, beneficiary: Beneficiary) -> str:
    """dialog.state.*: the proxy's paper first, then the police check of the record."""
    if st.person_id is not None and await is_proxy(ctx, st):
        status = await representation_status(
            ctx.session, beneficiary_id=beneficiary.id, proxy_person_id=st.person_id
        )
        if status == RepresentationStatus.PENDING:
            return "dialog.state.proxy_pending"
    if beneficiary.status != "active":
        return "dialog.state.inactive"
    if beneficiary.verification_status == Verification.VERIFIED:
        return "dialog.state.verified"
    if beneficiary.verification_status == Verification.MISMATCH:
        return "dialog.state.mismatch"
    return "dialog.state.unverified"


async def _waiting_for_account(ctx: Ctx, beneficiary: Beneficiary, state: str) -> Reply | None:
    """No method yet, but an account asked for ("I have no account yet"): the session where
    they are expected, or that they are on the list for the next one."""
    planned = await expected_at(
        ctx.session, beneficiary_id=beneficiary.id, now=ctx.now, settings=ctx.settings
    )
    if planned is not None:
        params = {"state": state, **session_params(planned)}
        return Reply("dialog.status.opening_session_state", params)
    kind = ReviewKind.ACCOUNT_OPENING
    if await pending_review(ctx.session, beneficiary_id=beneficiary.id, kind=kind):
        return Reply("dialog.status.opening_waiting_state", {"state": state})
    return None


def method_reply(choice: PaymentMethodChoice | None, state: str | None = None) -> Reply:
    """The current method (account masked) with the state of its check."""
    params: dict[str, str] = {} if state is None else {"state": state}
    suffix = "" if state is None else "_state"
    if choice is None:
        return Reply(f"dialog.status.no_method{suffix}", params)
    params |= {"method": f"method.{choice.method}", "progress": f"dialog.progress.{choice.status}"}
    if choice.account_masked:
        params["account"] = choice.account_masked
        return Reply(f"dialog.status.method_account{suffix}", params)
    return Reply(f"dialog.status.method{suffix}", params)


async def payment_replies(ctx: Ctx, beneficiary_id: int) -> list[Reply]:
    """The last payments, or that none is recorded, and the next due date."""
    due = next_payment_due(ctx.now).isoformat()
    lines = await recent_payments(ctx.session, beneficiary_id)
    if not lines:
        return [Reply("dialog.status.no_payment", {"date": due})]
    replies = [
        Reply(
            "dialog.status.payment",
            {"amount": line.amount, "period": line.period, "state": f"dialog.paid.{line.status}"},
        )
        for line in lines
    ]
    return [*replies, Reply("dialog.status.next", {"date": due})]


@entry("status")
async def status(ctx: Ctx, st: State, arg: str) -> list[Reply]:
    """TT / 'My status'."""
    del arg
    found = await acting(ctx, st)
    if found is None:
        chosen = await pick_first(ctx, st, "status")
        return chosen or await finish(ctx, st, [await _not_linked(ctx, st)])
    beneficiary = found[0]
    state = await _state_label(ctx, st, beneficiary)
    choice = await current_choice(ctx.session, beneficiary.id)
    waiting = await _waiting_for_account(ctx, beneficiary, state) if choice is None else None
    replies = [waiting or method_reply(choice, state), *await payment_replies(ctx, beneficiary.id)]
    if await is_proxy(ctx, st):  # a proxy may act for several: whose record this is
        replies.insert(0, Reply("dialog.status.whose", {"name": mask_name(found[1].full_name)}))
    return await finish(ctx, st, replies)


async def _not_linked(ctx: Ctx, st: State) -> Reply:
    if "withdrawn" in st.data:  # not "register": they are on the list, and still paid
        return Reply("dialog.status.withdrawn")
    registration = await latest_registration(ctx.session, address=ctx.address)
    if registration is None:
        return Reply("dialog.status.not_registered")
    sent = local_date(registration.created_at).isoformat()
    return Reply("dialog.status.registration", {"ref": f"DK{registration.id}", "date": sent})
