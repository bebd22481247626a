"""Choose how to be paid: account, mobile money, social-security account, cash; then confirm.

Account details are asked in flows/account.py. Cash asks why (one tap) and gently explains
what an account brings. A confirmed choice is appended to the history, a confirmation notice
is queued, and the officers' review queue gets it.
"""

from __future__ import annotations

from bot.dialog.engine import Ctx, Msg, Reply, State, entry, finish, goto, opt, retry, step
from bot.dialog.flows.common import (
    NO,
    NOT_UNDERSTOOD,
    NOTICE_VERSION,
    YES,
    YES_NO,
    acting,
    confirm_writer,
    consented,
    home_commune,
    today,
    unseal,
)
from bot.dialog.flows.phone import phone_gate
from bot.dialog.flows.who import pick_first
from models.conversations.people import (
    active_proxy_names,
    names_match,
    representation_status,
)
from models.messaging.service import enqueue, routed_address
from models.outreach.sessions import join_next_session, session_params
from models.payments.service import record_choice
from models.people.consents import give_missing_consents
from models.people.identifiers import all_banks
from models.people.tables import Beneficiary, Person
from models.requests.service import ReviewKind, create_review_item, pending_review
from models.vocab import WALLETS, ConsentPurpose, PaymentMethod, RepresentationStatus

NO_ACCOUNT = "no_account"
CASH_REASONS = ("ill", "no_atm", "no_card", "prefer", "other")
KEEP_CASH, CHOOSE_ACCOUNT = "keep_cash", "choose_account"
SOCIAL_SECURITY_PROVIDER = "VNeID"
PAY_KEYS = ("method", "provider", "account_enc", "account_masked", "holder", "cash_reason")


async def ask_method(ctx: Ctx, st: State) -> list[Reply]:
    """Every method; cash at home only where an officer allows it."""
    found = await acting(ctx, st)
    methods: list[PaymentMethod] = [m for m in PaymentMethod if m != PaymentMethod.CASH_HOME]
    if found is not None and found[0].cash_at_home_allowed:
        methods.append(PaymentMethod.CASH_HOME)
    options = [opt(f"method.{m.value}", m.value) for m in methods]
    options.append(opt("dialog.opt.no_account", NO_ACCOUNT))
    return [Reply("dialog.pay.ask_method", options=tuple(options))]


async def ask_cash_reason(ctx: Ctx, st: State) -> list[Reply]:
    """Why cash (one tap)."""
    del ctx, st
    options = tuple(opt(f"dialog.cash.{reason}", reason) for reason in CASH_REASONS)
    return [Reply("dialog.pay.ask_cash_reason", options=options)]


async def ask_cash_info(ctx: Ctx, st: State) -> list[Reply]:
    """What an account brings; the person still decides.

    Someone ill or bedridden is not told about ATMs: they hear that no one need collect the
    money for them, and, if they chose the payment point, that payment at home can be asked for.
    """
    del ctx
    options = (
        opt("dialog.opt.keep_cash", KEEP_CASH),
        opt("dialog.opt.choose_account", CHOOSE_ACCOUNT),
    )
    key = "dialog.pay.cash_benefits"
    if st.data.get("cash_reason") == "ill":
        at_home = st.data.get("method") == PaymentMethod.CASH_HOME
        key = "dialog.pay.cash_benefits_ill" if at_home else "dialog.pay.cash_benefits_ill_home"
    return [Reply(key, options=options)]


async def ask_bank_consent(ctx: Ctx, st: State) -> list[Reply]:
    """Sharing ID and phone with the bank is its own purpose: asked on its own."""
    del ctx, st
    return [Reply("dialog.pay.bank_consent", options=YES_NO)]


def provider_name(method: str, provider: str | None) -> str:
    """The bank's short name, the wallet's name, or VNeID."""
    if method == PaymentMethod.MOBILE_MONEY:
        return WALLETS.get(provider or "", provider or "")
    if method == PaymentMethod.SOCIAL_SECURITY_ACCOUNT:
        return SOCIAL_SECURITY_PROVIDER
    bank = next((b for b in all_banks() if b.code == provider), None)
    return bank.short_name if bank else provider or ""


async def ask_confirm(ctx: Ctx, st: State) -> list[Reply]:
    """A summary with the account number masked; yes records it."""
    del ctx
    method = str(st.data.get("method"))
    if PaymentMethod(method).is_cash:
        params = {
            "method": f"method.{method}",
            "reason": f"dialog.cash.{st.data.get('cash_reason')}",
        }
        return [Reply("dialog.pay.summary_cash", params, options=YES_NO)]
    params = {
        "method": f"method.{method}",
        "provider": provider_name(method, st.data.get("provider")),
        "account": str(st.data.get("account_masked")),
        "holder": str(st.data.get("holder")),
    }
    return [Reply("dialog.pay.summary_account", params, options=YES_NO)]


@entry("pay")
async def pay(ctx: Ctx, st: State, arg: str) -> list[Reply]:
    """Consent and identification come first."""
    del arg
    if not consented(st):
        return await goto(ctx, st, "start", "consent")
    asked = await confirm_writer(ctx, st, "pay")
    if asked is not None:
        return asked
    if st.beneficiary_id is None:
        return await pick_first(ctx, st, "pay") or await goto(ctx, st, "who", "role")
    proving = await phone_gate(ctx, st, "pay")
    if proving is not None:
        return proving
    for key in PAY_KEYS:
        st.data.pop(key, None)
    return await goto(ctx, st, "pay", "method")


@step("pay", "method", ask=ask_method)
async def on_method(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """An account method asks its details; cash asks why; 'no account yet' lists the person."""
    if msg.choice == NO_ACCOUNT:
        return await goto(ctx, st, "pay", "bank_consent")
    offered = {o["value"] for o in st.data.get("_offered", [])}
    if msg.choice is None or msg.choice not in offered:
        return await retry(ctx, st, NOT_UNDERSTOOD)
    method = PaymentMethod(msg.choice)
    st.data["method"] = method.value
    if method.is_cash:
        return await goto(ctx, st, "pay", "cash_reason")
    if method == PaymentMethod.BANK_ACCOUNT:
        return await goto(ctx, st, "pay", "bank")
    if method == PaymentMethod.MOBILE_MONEY:
        return await goto(ctx, st, "pay", "wallet")
    return await goto(ctx, st, "pay", "account")


@step("pay", "cash_reason", ask=ask_cash_reason)
async def on_cash_reason(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """Keep the reason, then explain what an account brings."""
    if msg.choice not in CASH_REASONS:
        return await retry(ctx, st, NOT_UNDERSTOOD)
    st.data["cash_reason"] = msg.choice
    return await goto(ctx, st, "pay", "cash_info")


@step("pay", "cash_info", ask=ask_cash_info)
async def on_cash_info(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """Cash stays cash if the person wishes; or back to the methods."""
    if msg.choice == KEEP_CASH:
        return await goto(ctx, st, "pay", "confirm")
    if msg.choice == CHOOSE_ACCOUNT:
        st.data.pop("cash_reason", None)
        return await goto(ctx, st, "pay", "method")
    return await retry(ctx, st, NOT_UNDERSTOOD)


@step("pay", "bank_consent", ask=ask_bank_consent)
async def on_bank_consent(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """Yes: on the list for the commune's next account-opening session."""
    if msg.choice == NO:
        return await finish(ctx, st, [Reply("dialog.pay.opening_declined")])
    if msg.choice != YES:
        return await retry(ctx, st, NOT_UNDERSTOOD)
    found = await acting(ctx, st)
    if found is None:
        return await finish(ctx, st, [Reply("dialog.error")])
    beneficiary, person = found
    await _bank_sharing_consent(ctx, st, person)
    review_id = await _opening_request(ctx, st, beneficiary)
    planned = await join_next_session(
        ctx.session,
        beneficiary=beneficiary,
        person_id=st.person_id,
        review_item_id=review_id,
        now=ctx.now,
        settings=ctx.settings,
    )
    if planned is not None:  # the date, place and what to bring are known: said now
        return await finish(ctx, st, [Reply("dialog.pay.opening_session", session_params(planned))])
    commune = await home_commune(ctx, st)
    if commune is None:
        return await finish(ctx, st, [Reply("dialog.pay.opening_listed_plain")])
    return await finish(ctx, st, [Reply("dialog.pay.opening_listed", {"commune": commune.name})])


async def _bank_sharing_consent(ctx: Ctx, st: State, person: Person) -> None:
    await give_missing_consents(
        ctx.session,
        person_id=person.id,
        purposes=(ConsentPurpose.BANK_SHARING,),
        notice_version=NOTICE_VERSION,
        channel=ctx.channel,
        given_by_person_id=st.person_id,
        now=ctx.now,
    )


async def _opening_request(ctx: Ctx, st: State, beneficiary: Beneficiary) -> int:
    """One pending request per beneficiary: asking twice keeps the first; its id."""
    kind = ReviewKind.ACCOUNT_OPENING
    waiting = await pending_review(ctx.session, beneficiary_id=beneficiary.id, kind=kind)
    if waiting is not None:
        return waiting.id
    item = await create_review_item(
        ctx.session,
        kind=kind,
        payload={"source": ctx.source.value},
        beneficiary_id=beneficiary.id,
        person_id=st.person_id,
        commune_id=beneficiary.commune_id,
        now=ctx.now,
    )
    return item.id


@step("pay", "confirm", ask=ask_confirm)
async def on_confirm(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """Yes records the choice; no leaves everything as it was."""
    if msg.choice == NO:
        return await finish(ctx, st, [Reply("dialog.pay.cancelled")])
    if msg.choice != YES:
        return await retry(ctx, st, NOT_UNDERSTOOD)
    return await _record(ctx, st)


async def _proxy_unchecked(ctx: Ctx, st: State, beneficiary: Beneficiary, person: Person) -> bool:
    """Whether a proxy chose while an officer has not yet checked their paper."""
    if st.person_id is None or st.person_id == person.id:
        return False
    status = await representation_status(
        ctx.session, beneficiary_id=beneficiary.id, proxy_person_id=st.person_id
    )
    return status != RepresentationStatus.ACTIVE


async def _holder(ctx: Ctx, st: State, person: Person) -> tuple[str, int | None]:
    """Who holds the account, as far as the name tells."""
    name = str(st.data.get("holder") or "")
    if not name or names_match(name, person.full_name):
        return "beneficiary", person.id
    writer = await ctx.session.get(Person, st.person_id) if st.person_id else None
    if writer is not None and writer.id != person.id and names_match(name, writer.full_name):
        return "proxy", writer.id
    return "other", None


async def _tell_beneficiary(ctx: Ctx, st: State, person: Person, params: dict[str, str]) -> None:
    """The method-confirmed notice goes to the beneficiary where they are reached best, so a
    change made by anyone else (a proxy, or someone who knew the CCCD) comes to their notice;
    not when that is this very conversation, where the reply says it already."""
    key = "notice.method_confirmed"
    to = await routed_address(
        ctx.session, person_id=person.id, key=key, message_class="notice", settings=ctx.settings
    )
    if to is None or to == ctx.address:
        return
    notice = await enqueue(  # routed as any notice: Zalo's template first, SMS as the fallback
        ctx.session,
        person_id=person.id,
        key=key,
        params=params,
        message_class="notice",
        settings=ctx.settings,
        now=ctx.now,
    )
    if notice is not None:
        ctx.queued.append(notice)


async def _record(ctx: Ctx, st: State) -> list[Reply]:
    found = await acting(ctx, st)
    if found is None or "method" not in st.data:
        return await finish(ctx, st, [Reply("dialog.error")])
    beneficiary, person = found
    method = PaymentMethod(st.data["method"])
    holder_name = st.data.get("holder")
    names = (
        person.full_name,
        *await active_proxy_names(ctx.session, beneficiary_id=beneficiary.id, today=today(ctx)),
    )
    holder, holder_person_id = await _holder(ctx, st, person)
    choice = await record_choice(
        ctx.session,
        protector=ctx.protector,
        beneficiary_id=beneficiary.id,
        method=method,
        source=ctx.source,
        actor=ctx.actor,
        provider_code=st.data.get("provider"),
        account_number=unseal(ctx, st.data["account_enc"]) if "account_enc" in st.data else None,
        holder=holder,
        holder_person_id=holder_person_id,
        holder_name=holder_name,
        expected_names=names if holder_name else (),
        cash_reason=st.data.get("cash_reason"),
    )
    await create_review_item(
        ctx.session,
        kind=ReviewKind.CASH_HOME
        if method == PaymentMethod.CASH_HOME
        else ReviewKind.METHOD_CHANGE,
        payload={
            "method": choice.method,
            "provider": choice.provider_code,
            "account": choice.account_masked,
            "holder_name_matches": choice.holder_name_matches,
            "cash_reason": choice.cash_reason,
            "source": choice.source,
            "phone_on_record_unproven": bool(st.data.get("owner_unproven")),
            "proxy_paper_unchecked": await _proxy_unchecked(ctx, st, beneficiary, person),
        },
        beneficiary_id=beneficiary.id,
        person_id=st.person_id,
        commune_id=beneficiary.commune_id,
        choice_id=choice.id,
        now=ctx.now,
    )
    code = choice.confirmation_code
    await _tell_beneficiary(ctx, st, person, {"method": f"method.{method.value}", "code": code})
    replies = [Reply("dialog.pay.recorded", {"code": code})]
    if method == PaymentMethod.CASH_HOME:
        replies.append(Reply("dialog.pay.home_review"))
    return await finish(ctx, st, replies)
