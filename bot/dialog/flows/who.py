"""Who is writing: the beneficiary, an authorized family member, or a legal guardian.

A proxy gives their own name, CCCD and relationship; the representation stays pending until
an officer checks the paper. One proxy may act for several beneficiaries and picks one.
"""

from __future__ import annotations

from bot.dialog.engine import (
    ENTRIES,
    Ctx,
    Msg,
    Opt,
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
    NAME_INVALID,
    NOT_UNDERSTOOD,
    consented,
    record_consents,
    today,
    valid_name,
)
from models.conversations.people import link_address, mask_name, names_match, represented_by
from models.people.identifiers import parse_cccd
from models.people.service import create_person, find_person_by_cccd
from models.people.tables import Person
from models.vocab import RepresentationKind

SELF = "self"
ROLES: tuple[Opt, ...] = (
    opt("dialog.opt.self", SELF),
    opt("dialog.opt.authorized", RepresentationKind.AUTHORIZED.value),
    opt("dialog.opt.guardian", RepresentationKind.GUARDIAN.value),
)
RELATIONSHIPS = ("child", "spouse", "grandchild", "sibling", "other")
NEW = "new"


async def ask_role(ctx: Ctx, st: State) -> list[Reply]:
    """Who is writing?"""
    del ctx, st
    return [Reply("dialog.who.ask", options=ROLES)]


async def ask_proxy_name(ctx: Ctx, st: State) -> list[Reply]:
    """The proxy's own full name."""
    del ctx, st
    return [Reply("dialog.proxy.ask_name")]


async def ask_proxy_cccd(ctx: Ctx, st: State) -> list[Reply]:
    """The proxy's own CCCD."""
    del ctx, st
    return [Reply("dialog.proxy.ask_cccd")]


async def ask_relationship(ctx: Ctx, st: State) -> list[Reply]:
    """How the proxy is related to the beneficiary."""
    del ctx, st
    options = tuple(opt(f"dialog.rel.{name}", name) for name in RELATIONSHIPS)
    return [Reply("dialog.proxy.ask_relationship", options=options)]


async def ask_pick(ctx: Ctx, st: State) -> list[Reply]:
    """The beneficiaries this proxy acts for (masked), and 'someone else'."""
    people = await represented_by(ctx.session, st.person_id) if st.person_id else []
    options = [Opt(f"b{r.beneficiary.id}", label=_label(r.person)) for r in people]
    options.append(opt("dialog.opt.someone_else", NEW))
    return [Reply("dialog.proxy.pick", options=tuple(options))]


def _label(person: Person) -> str:
    year = person.birth_year
    return f"{mask_name(person.full_name)} ({year})" if year else mask_name(person.full_name)


@step("who", "role", ask=ask_role)
async def on_role(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """The beneficiary goes to identification; a proxy first says who they are."""
    if msg.choice == SELF:
        st.data["role"] = SELF
        return await goto(ctx, st, "identify", "cccd")
    if msg.choice not in (RepresentationKind.AUTHORIZED, RepresentationKind.GUARDIAN):
        return await retry(ctx, st, NOT_UNDERSTOOD)
    st.data["role"] = msg.choice
    if st.person_id is not None and await represented_by(ctx.session, st.person_id):
        return await goto(ctx, st, "who", "pick")
    if st.person_id is not None and st.beneficiary_id is None:
        return await goto(ctx, st, "who", "relationship")
    st.person_id = st.beneficiary_id = None  # a beneficiary now writing for someone else
    return await goto(ctx, st, "who", "proxy_name")


@step("who", "proxy_name", ask=ask_proxy_name, free_text=True, max_failures=3)
async def on_proxy_name(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """Keep the proxy's name for their record."""
    name = valid_name(msg.text)
    if name is None:
        return await retry(ctx, st, NAME_INVALID)
    st.data["proxy_name"] = name
    return await goto(ctx, st, "who", "proxy_cccd")


@step("who", "proxy_cccd", ask=ask_proxy_cccd, sensitive=True, max_failures=3)
async def on_proxy_cccd(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """Find or create the proxy's own record; their consent is their own."""
    parsed = parse_cccd(msg.text, today=today(ctx))
    if parsed.error is not None:
        return await retry(ctx, st, parsed.error.key, parsed.error.params)
    assert parsed.value is not None
    name = str(st.data.get("proxy_name") or "")
    proxy = await find_person_by_cccd(
        ctx.session, protector=ctx.protector, cccd=parsed.value.number
    )
    if proxy is not None and not names_match(name, proxy.full_name):  # often the beneficiary's
        return await retry(ctx, st, "dialog.proxy.cccd_not_theirs")
    if proxy is None:
        proxy = await create_person(
            ctx.session,
            protector=ctx.protector,
            full_name=name,
            cccd=parsed.value.number,
            birth_year=parsed.value.birth_year,
            gender=parsed.value.gender,
            locale=st.locale,
        )
    await record_consents(ctx, st, proxy.id, by=None)
    st.person_id = proxy.id
    st.data.pop("proxy_name", None)
    await link_address(ctx.session, person_id=proxy.id, address=ctx.address)
    return await goto(ctx, st, "who", "relationship")


@step("who", "relationship", ask=ask_relationship)
async def on_relationship(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """Then identify the beneficiary."""
    if msg.choice not in RELATIONSHIPS:
        return await retry(ctx, st, NOT_UNDERSTOOD)
    st.data["relationship"] = msg.choice
    return await goto(ctx, st, "identify", "cccd")


@step("who", "pick", ask=ask_pick)
async def on_pick(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """Act for the chosen beneficiary, or identify one more."""
    if msg.choice == NEW:
        st.data.setdefault("role", RepresentationKind.AUTHORIZED.value)
        return await goto(ctx, st, "who", "relationship")
    people = await represented_by(ctx.session, st.person_id) if st.person_id else []
    chosen = next((r for r in people if f"b{r.beneficiary.id}" == msg.choice), None)
    if chosen is None:
        return await retry(ctx, st, NOT_UNDERSTOOD)
    st.beneficiary_id = chosen.beneficiary.id
    acting_for = Reply("dialog.proxy.acting_for", {"name": mask_name(chosen.person.full_name)})
    after = st.data.pop("after_pick", None)
    if after in ENTRIES:
        return [acting_for, *await ENTRIES[after](ctx, st, "")]
    return await finish(ctx, st, [acting_for])


async def pick_first(ctx: Ctx, st: State, then: str) -> list[Reply] | None:
    """A proxy who has not chosen whom to act for chooses first, then goes on to `then`."""
    if st.beneficiary_id is not None or st.person_id is None:
        return None
    if not await represented_by(ctx.session, st.person_id):
        return None
    st.data["after_pick"] = then
    return await goto(ctx, st, "who", "pick")


async def forget_choice(ctx: Ctx, st: State) -> None:
    """After a long pause a proxy acting for several people chooses again."""
    if st.person_id is not None and len(await represented_by(ctx.session, st.person_id)) > 1:
        st.beneficiary_id = None


@entry("switch")
async def switch(ctx: Ctx, st: State, arg: str) -> list[Reply]:
    """A proxy changes whom they act for."""
    del arg
    if not consented(st) or st.person_id is None:
        return await goto(ctx, st, "start", "consent")
    return await goto(ctx, st, "who", "pick")
