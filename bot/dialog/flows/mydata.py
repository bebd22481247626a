"""My data: what ansinh holds (masked), withdrawing consent, asking for correction or deletion."""

from __future__ import annotations

from sqlalchemy import select

from bot.dialog.engine import Ctx, Msg, Reply, State, entry, finish, go_back, goto, opt, retry, step
from bot.dialog.flows.common import (
    NO,
    NOT_UNDERSTOOD,
    YES,
    YES_NO,
    acting,
    confirm_writer,
    consented,
    home_commune,
)
from bot.dialog.flows.status import method_reply
from models.conversations.people import mask_name, phones_of
from models.payments.service import current_choice
from models.people.consents import withdraw_consent
from models.people.tables import Consent, Person
from models.protection import mask_phone
from models.requests.service import DataRequestKind, create_data_request, latest_registration

VIEW, WITHDRAW = "view", "withdraw"
REQUESTS = {"correct": DataRequestKind.CORRECTION, "delete": DataRequestKind.DELETION}
SKIP = "skip"
NONE = "-"


async def ask_menu(ctx: Ctx, st: State) -> list[Reply]:
    """See, withdraw, correct, delete."""
    del ctx, st
    options = tuple(opt(f"dialog.mydata.opt.{name}", name) for name in (VIEW, WITHDRAW, *REQUESTS))
    return [Reply("dialog.mydata.ask", options=options)]


async def ask_withdraw(ctx: Ctx, st: State) -> list[Reply]:
    """Are you sure?"""
    del ctx, st
    return [Reply("dialog.mydata.withdraw_confirm", options=YES_NO)]


async def ask_delete(ctx: Ctx, st: State) -> list[Reply]:
    """A deletion request is sent only when the person says so: what happens to it, and sure?"""
    del ctx, st
    return [Reply("dialog.mydata.delete_confirm", options=YES_NO)]


async def ask_details(ctx: Ctx, st: State) -> list[Reply]:
    """What to correct, or (optional) why to delete."""
    del ctx
    if st.data.get("request_kind") == DataRequestKind.CORRECTION:
        return [Reply("dialog.mydata.ask_correction")]
    no_reason = opt("dialog.mydata.opt.no_reason", SKIP)  # "Skip" read like "cancel"
    return [Reply("dialog.mydata.ask_deletion", options=(no_reason,))]


@entry("mydata")
async def my_data(ctx: Ctx, st: State, arg: str) -> list[Reply]:
    """Nothing is held about someone who never agreed nor registered."""
    del arg
    asked = await confirm_writer(ctx, st, "mydata")
    if asked is not None:
        return asked
    holds = consented(st) or st.person_id is not None
    if not holds and await latest_registration(ctx.session, address=ctx.address) is None:
        return await finish(ctx, st, [Reply("dialog.mydata.nothing")])
    return await goto(ctx, st, "mydata", "menu")


@step("mydata", "menu", ask=ask_menu)
async def on_menu(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """Show the data, or go to a request."""
    if msg.choice == VIEW:
        return await view(ctx, st)
    if msg.choice == WITHDRAW:
        return await goto(ctx, st, "mydata", "withdraw")
    if msg.choice in REQUESTS:
        st.data["request_kind"] = REQUESTS[msg.choice].value
        sure = REQUESTS[msg.choice] == DataRequestKind.DELETION
        return await goto(ctx, st, "mydata", "delete" if sure else "details")
    return await retry(ctx, st, NOT_UNDERSTOOD)


@step("mydata", "delete", ask=ask_delete)
async def on_delete(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """Yes: on to the (optional) reason; no: back to the my-data menu."""
    if msg.choice == NO:
        return await go_back(ctx, st)
    if msg.choice != YES:
        return await retry(ctx, st, NOT_UNDERSTOOD)
    return await goto(ctx, st, "mydata", "details")


async def view(ctx: Ctx, st: State) -> list[Reply]:
    """Name, birth year, commune, CCCD, phones, method and consents: all masked."""
    found = await acting(ctx, st)
    person = found[1] if found else None
    if person is None and st.person_id is not None:
        person = await ctx.session.get(Person, st.person_id)
    if person is None:
        return await _registration_view(ctx)
    commune = await home_commune(ctx, st)
    phones = [mask_phone(a.removeprefix("tel:")) for a in await phones_of(ctx.session, person.id)]
    replies = [
        Reply(
            "dialog.mydata.person",
            {
                "name": mask_name(person.full_name),
                "year": str(person.birth_year or NONE),
                "commune": commune.name if commune else NONE,
            },
        ),
        Reply("dialog.mydata.ids", {"cccd": person.cccd_masked or NONE, "phones": phones or NONE}),
    ]
    if found is not None:
        replies.append(method_reply(await current_choice(ctx.session, found[0].id)))
    return [*replies, *await _consents(ctx, person.id)]


async def _registration_view(ctx: Ctx) -> list[Reply]:
    registration = await latest_registration(ctx.session, address=ctx.address)
    if registration is None:
        return [Reply("dialog.mydata.nothing")]
    params = {
        "name": mask_name(registration.full_name),
        "cccd": registration.cccd_masked or NONE,
        "ref": f"DK{registration.id}",
    }
    return [Reply("dialog.mydata.registration", params)]


async def _consents(ctx: Ctx, person_id: int) -> list[Reply]:
    rows = await ctx.session.scalars(
        select(Consent)
        .where(Consent.person_id == person_id, Consent.withdrawn_at.is_(None))
        .order_by(Consent.id)
    )
    seen: dict[str, Consent] = {}
    for consent in rows:
        seen.setdefault(consent.purpose, consent)
    if not seen:
        return [Reply("dialog.mydata.no_consent")]
    return [
        Reply(
            "dialog.mydata.consent",
            {"purpose": f"dialog.purpose.{c.purpose}", "date": c.given_at.isoformat()},
        )
        for c in seen.values()
    ]


@step("mydata", "withdraw", ask=ask_withdraw)
async def on_withdraw(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """Withdraw every consent; from now on nothing personal is asked."""
    if msg.choice == NO:
        return await go_back(ctx, st)
    if msg.choice != YES:
        return await retry(ctx, st, NOT_UNDERSTOOD)
    found = await acting(ctx, st)
    for person_id in {st.person_id, found[1].id if found else None} - {None}:
        assert person_id is not None
        await withdraw_consent(ctx.session, person_id=person_id, now=ctx.now)
    st.data.pop("consent", None)
    st.data["withdrawn"] = ctx.now.isoformat()  # status then says why it shows nothing
    st.person_id = st.beneficiary_id = None
    return await finish(ctx, st, [Reply("dialog.mydata.withdrawn")])


@step("mydata", "details", ask=ask_details, free_text=True)
async def on_details(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """Record the request with its deadlines: acknowledged in 2 working days, done in 10-20."""
    kind = DataRequestKind(st.data.get("request_kind", DataRequestKind.CORRECTION))
    details = None if msg.choice == SKIP else msg.text
    if kind == DataRequestKind.CORRECTION and not details:
        return await retry(ctx, st, NOT_UNDERSTOOD)
    request = await create_data_request(
        ctx.session,
        kind=kind,
        channel=ctx.channel,
        address=ctx.address,
        person_id=st.person_id,
        details=details,
        now=ctx.now,
    )
    params = {"ack": request.acknowledge_by.isoformat(), "due": request.due_by.isoformat()}
    return await finish(ctx, st, [Reply("dialog.mydata.request_received", params)])
