"""Account details: the bank (by name, short name or BIN, confirmed), the wallet, the number,
and the holder's name (a name that differs is accepted and flagged for the officer)."""

from __future__ import annotations

from bot.dialog import words
from bot.dialog.engine import Ctx, Msg, Opt, Reply, State, goto, opt, retry, step
from bot.dialog.flows.common import (
    NAME_INVALID,
    NO,
    NOT_UNDERSTOOD,
    YES,
    YES_NO,
    acting,
    seal,
    today,
    valid_name,
)
from models.conversations.people import active_proxy_names
from models.people.identifiers import (
    all_banks,
    find_bank,
    holder_name_key,
    parse_account_number,
)
from models.protection import mask_account
from models.vocab import WALLETS

OTHER = "other"


def _bank(code: str | None) -> str:
    bank = next((b for b in all_banks() if b.code == code), None)
    return bank.short_name if bank else ""


async def ask_bank(ctx: Ctx, st: State) -> list[Reply]:
    """Which bank."""
    del ctx, st
    return [Reply("dialog.pay.ask_bank")]


async def ask_bank_confirm(ctx: Ctx, st: State) -> list[Reply]:
    """'Agribank?'"""
    del ctx
    bank = _bank(st.data.get("provider"))
    return [Reply("dialog.pay.bank_confirm", {"bank": bank}, options=YES_NO)]


async def ask_bank_pick(ctx: Ctx, st: State) -> list[Reply]:
    """Several banks look alike: numbered options."""
    del ctx
    options = [Opt(code, label=_bank(code)) for code in st.data.get("bank_options", [])]
    options.append(opt("dialog.opt.other_bank", OTHER))
    return [Reply("dialog.pay.bank_pick", options=tuple(options))]


async def ask_wallet(ctx: Ctx, st: State) -> list[Reply]:
    """Which mobile-money service."""
    del ctx, st
    options = tuple(Opt(code, label=name) for code, name in WALLETS.items())
    return [Reply("dialog.pay.ask_wallet", options=options)]


async def ask_account(ctx: Ctx, st: State) -> list[Reply]:
    """The account number."""
    del ctx, st
    return [Reply("dialog.pay.ask_account")]


async def ask_holder(ctx: Ctx, st: State) -> list[Reply]:
    """The holder's name, as the bank writes it."""
    del ctx, st
    return [Reply("dialog.pay.ask_holder")]


@step("pay", "bank", ask=ask_bank, max_failures=3)
async def on_bank(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """Fuzzy search; one bank is confirmed, several are offered. "Không" (no bank, or none
    known) goes back to the methods, where "no account yet" is one."""
    if words.yes_or_no(msg.text, msg.folded) == NO:
        return await goto(ctx, st, "pay", "method")
    found = find_bank(msg.text[:100])
    if found.value is not None:
        st.data["provider"] = found.value.code
        return await goto(ctx, st, "pay", "bank_confirm")
    if found.error is not None and found.error.key == "id.bank.ambiguous":
        names = [n.strip() for n in found.error.params.get("options", "").split(",")]
        st.data["bank_options"] = [b.code for b in all_banks() if b.short_name in names][:5]
        return await goto(ctx, st, "pay", "bank_pick")
    return await retry(ctx, st, "dialog.pay.bank_unknown")  # and how to choose otherwise


@step("pay", "bank_confirm", ask=ask_bank_confirm)
async def on_bank_confirm(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """Yes: the account number; no: the bank again."""
    if msg.choice == YES:
        return await goto(ctx, st, "pay", "account")
    if msg.choice == NO:
        st.data.pop("provider", None)
        return await goto(ctx, st, "pay", "bank")
    return await retry(ctx, st, NOT_UNDERSTOOD)


@step("pay", "bank_pick", ask=ask_bank_pick)
async def on_bank_pick(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """One of the banks offered, or another name."""
    if msg.choice == OTHER:
        return await goto(ctx, st, "pay", "bank")
    if msg.choice is None or msg.choice not in st.data.get("bank_options", []):
        return await retry(ctx, st, NOT_UNDERSTOOD)
    st.data["provider"] = msg.choice
    st.data.pop("bank_options", None)
    return await goto(ctx, st, "pay", "account")


@step("pay", "wallet", ask=ask_wallet)
async def on_wallet(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """Then the wallet's account number (usually the phone number)."""
    if msg.choice not in WALLETS:
        return await retry(ctx, st, NOT_UNDERSTOOD)
    st.data["provider"] = msg.choice
    return await goto(ctx, st, "pay", "account")


@step("pay", "account", ask=ask_account, sensitive=True, max_failures=3)
async def on_account(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """6-19 digits, kept encrypted until the choice is recorded."""
    parsed = parse_account_number(msg.text[:100])
    if parsed.value is None:
        return await retry(ctx, st, "id.account.invalid")
    st.data["account_enc"] = seal(ctx, parsed.value)
    st.data["account_masked"] = mask_account(parsed.value)
    return await goto(ctx, st, "pay", "holder")


@step("pay", "holder", ask=ask_holder, sensitive=True, free_text=True, max_failures=3)
async def on_holder(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """A holder who is neither the beneficiary nor an active proxy is flagged, not refused."""
    name = valid_name(msg.text)
    if name is None:
        return await retry(ctx, st, NAME_INVALID)
    st.data["holder"] = name
    replies = [] if await _expected(ctx, st, name) else [Reply("dialog.pay.holder_differs")]
    return [*replies, *await goto(ctx, st, "pay", "confirm")]


async def _expected(ctx: Ctx, st: State, name: str) -> bool:
    found = await acting(ctx, st)
    if found is None:
        return False
    beneficiary, person = found
    proxies = await active_proxy_names(ctx.session, beneficiary_id=beneficiary.id, today=today(ctx))
    # the same comparison as the bank's name enquiry (and record_choice): exact, accent-free
    return holder_name_key(name) in {holder_name_key(n) for n in (person.full_name, *proxies)}
