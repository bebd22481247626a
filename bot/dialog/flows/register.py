"""Not found in the registry: a registration request for the commune officer."""

from __future__ import annotations

from datetime import date, datetime

from bot.dialog.engine import Ctx, Msg, Reply, State, entry, finish, goto, opt, retry, step
from bot.dialog.flows.common import NAME_INVALID, NOT_UNDERSTOOD, consented, unseal, valid_name
from bot.dialog.flows.identify import given_birth
from bot.dialog.flows.places import area_id, commune_options, recalled, remember
from bot.dialog.flows.who import SELF
from models.requests.service import Applicant, Proxy, create_registration_request

SKIP = "skip"
NONE = "none"
CATEGORIES = ("btxh", "ncc", "unknown")
COMMUNE_OPTIONS = "reg_communes"
MAX_VILLAGE = 200


async def ask_name(ctx: Ctx, st: State) -> list[Reply]:
    """The applicant's full name (the beneficiary writing for themselves)."""
    del ctx, st
    return [Reply("dialog.register.ask_name")]


async def ask_commune(ctx: Ctx, st: State) -> list[Reply]:
    """Where the beneficiary lives."""
    del ctx, st
    return [Reply("dialog.register.ask_commune")]


async def ask_pick(ctx: Ctx, st: State) -> list[Reply]:
    """The candidate communes found."""
    del ctx
    options = (*recalled(st, COMMUNE_OPTIONS), opt("dialog.opt.none_of_these", NONE))
    return [Reply("dialog.commune.pick", options=options)]


async def ask_village(ctx: Ctx, st: State) -> list[Reply]:
    """The village, or skip."""
    del ctx, st
    return [Reply("dialog.register.ask_village", options=(opt("dialog.opt.skip", SKIP),))]


async def ask_category(ctx: Ctx, st: State) -> list[Reply]:
    """Which allowance the person thinks they receive ("you" to the person themself)."""
    del ctx
    options = tuple(opt(f"dialog.category.{name}", name) for name in CATEGORIES)
    own = st.data.get("role", SELF) == SELF
    key = "dialog.register.ask_category_self" if own else "dialog.register.ask_category"
    return [Reply(key, options=options)]


@step("register", "name", ask=ask_name, sensitive=True, free_text=True, max_failures=3)
async def on_name(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """Keep the name for the request."""
    name = valid_name(msg.text)
    if name is None:
        return await retry(ctx, st, NAME_INVALID)
    st.data["name"] = name
    return await goto(ctx, st, "register", "commune")


@step("register", "commune", ask=ask_commune, sensitive=True, free_text=True, max_failures=3)
async def on_commune(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """Search the commune by name; old names lead to today's commune."""
    options, sure = await commune_options(ctx, msg.text)
    if not options:
        return await retry(ctx, st, "dialog.commune.unknown")
    if sure:
        st.data["commune_id"] = area_id(options[0].value)
        return await goto(ctx, st, "register", "village")
    remember(st, COMMUNE_OPTIONS, options)
    return await goto(ctx, st, "register", "commune_pick")


@step("register", "commune_pick", ask=ask_pick, sensitive=True)
async def on_pick(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """One of the candidates, or type the name again."""
    if msg.choice == NONE:
        return await goto(ctx, st, "register", "commune")
    chosen = area_id(msg.choice)
    if chosen is None:
        return await retry(ctx, st, NOT_UNDERSTOOD)
    st.data["commune_id"] = chosen
    st.data.pop(COMMUNE_OPTIONS, None)
    return await goto(ctx, st, "register", "village")


@step("register", "village", ask=ask_village, sensitive=True, free_text=True)
async def on_village(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """Any text names the village."""
    if msg.choice != SKIP:
        village = " ".join(msg.text.split())[:MAX_VILLAGE]
        if not village:
            return await retry(ctx, st, NOT_UNDERSTOOD)
        st.data["village"] = village
    return await goto(ctx, st, "register", "category")


@step("register", "category", ask=ask_category, sensitive=True)
async def on_category(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """Then the phone, which the officer will use to call back."""
    if msg.choice not in CATEGORIES:
        return await retry(ctx, st, NOT_UNDERSTOOD)
    st.data["category"] = msg.choice
    if ctx.channel == "sms":  # the message came from this phone
        st.data["phone_verified"] = ctx.address.removeprefix("tel:")
        return await submit(ctx, st, "")
    st.data["after_phone"] = "submit_registration"
    return await goto(ctx, st, "phone", "number")


def _consent(st: State) -> tuple[str, datetime] | None:
    consent = st.data.get("consent")
    if not isinstance(consent, dict):
        return None
    return str(consent.get("version")), datetime.fromisoformat(str(consent.get("at")))


def _proxy(st: State) -> Proxy | None:
    role = st.data.get("role", SELF)
    if role == SELF or st.person_id is None:
        return None
    return Proxy(st.person_id, str(role), st.data.get("relationship"))


@entry("submit_registration")
async def submit(ctx: Ctx, st: State, arg: str) -> list[Reply]:
    """Send the request to the commune officer; the details leave the conversation."""
    del arg
    if not consented(st) or "cccd_enc" not in st.data:
        return await finish(ctx, st, [Reply("dialog.error")])
    category = st.data.get("category")
    birth = given_birth(st) if st.data.get("birth") else None
    request = await create_registration_request(
        ctx.session,
        protector=ctx.protector,
        applicant=Applicant(
            full_name=str(st.data.get("name", "")),
            birth_date=birth if isinstance(birth, date) else None,
            birth_year=birth if isinstance(birth, int) else None,
            cccd=unseal(ctx, st.data["cccd_enc"]),
        ),
        channel=ctx.channel,
        address=ctx.address,
        phone=st.data.get("phone_verified"),
        commune_id=st.data.get("commune_id"),
        village=st.data.get("village"),
        category_guess={"btxh": "BTXH", "ncc": "NCC"}.get(str(category)),
        proxy=_proxy(st),
        consent=_consent(st),
        now=ctx.now,
    )
    st.reset()
    st.data["registration_id"] = request.id
    return await finish(ctx, st, [Reply("dialog.register.received", {"ref": f"DK{request.id}"})])
