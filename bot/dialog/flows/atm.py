"""ATMs and payment points: in the person's commune, in a commune they name, or nearest to them."""

from __future__ import annotations

from bot.dialog.engine import Ctx, Msg, Opt, Reply, State, entry, finish, goto, opt, retry, step
from bot.dialog.flows.common import NOT_UNDERSTOOD, home_commune
from bot.dialog.flows.places import area_id, commune_options, recalled, remember
from messages.formats import localize_hours
from models.places.index import Place, place_by_id
from models.places.service import nearest_service_points, service_points_in_commune
from models.places.tables import Area, ServicePoint

MAX_POINTS = 3
MINE, OTHER = "mine", "other"
SHARE_LOCATION = "share_location"  # the Telegram adapter turns this option into the share button
OPTIONS_KEY = "atm_communes"
HOURS_UNKNOWN = "dialog.atm.hours_unknown"


async def ask_where(ctx: Ctx, st: State) -> list[Reply]:
    """My commune (when known), another commune, or (Telegram) my location."""
    options: list[Opt] = []
    if await home_commune(ctx, st) is not None:
        options.append(opt("dialog.opt.my_commune", MINE))
    options.append(opt("dialog.opt.other_commune", OTHER))
    telegram = ctx.channel == "telegram"
    if telegram:
        options.append(Opt(SHARE_LOCATION, key="dialog.opt.share_location"))
    return [Reply("dialog.atm.ask", options=tuple(options), request_location=telegram)]


async def ask_commune(ctx: Ctx, st: State) -> list[Reply]:
    """Which commune."""
    del ctx, st
    return [Reply("dialog.atm.ask_commune")]


async def ask_pick(ctx: Ctx, st: State) -> list[Reply]:
    """The communes that match the name typed."""
    del ctx
    return [Reply("dialog.commune.pick", options=recalled(st, OPTIONS_KEY))]


@entry("atm")
async def atm(ctx: Ctx, st: State, arg: str) -> list[Reply]:
    """'ATM <commune>' searches at once; 'ATM' alone asks where."""
    if arg:
        return await _search(ctx, st, arg, from_step=False)
    return await goto(ctx, st, "atm", "where")


@entry("atm_near")
async def atm_near(ctx: Ctx, st: State, arg: str) -> list[Reply]:
    """A location shared outside any question: the nearest points."""
    latitude, _, longitude = arg.partition(",")
    try:
        return await _nearest(ctx, st, float(latitude), float(longitude))
    except ValueError:
        return await goto(ctx, st, "atm", "where")


@step("atm", "where", ask=ask_where)
async def on_where(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """A location, a choice, or a commune's name typed straight away."""
    if msg.location is not None:
        return await _nearest(ctx, st, *msg.location)
    if msg.choice == MINE:
        commune = await home_commune(ctx, st)
        if commune is not None:
            return await _show(ctx, st, commune)
    if msg.choice == OTHER:
        return await goto(ctx, st, "atm", "commune")
    if msg.choice is None and msg.text:
        return await _search(ctx, st, msg.text, from_step=True)
    return await retry(ctx, st, NOT_UNDERSTOOD)


@step("atm", "commune", ask=ask_commune, free_text=True)
async def on_commune(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """A commune's name (typos, missing accents and former names are fine)."""
    if msg.location is not None:
        return await _nearest(ctx, st, *msg.location)
    return await _search(ctx, st, msg.text, from_step=True)


@step("atm", "pick", ask=ask_pick)
async def on_pick(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    """One of the communes offered."""
    chosen = area_id(msg.choice)
    commune = await place_by_id(ctx.session, chosen) if chosen else None
    if commune is None:
        if msg.choice is None and msg.text:
            return await _search(ctx, st, msg.text, from_step=True)
        return await retry(ctx, st, NOT_UNDERSTOOD)
    return await _show(ctx, st, commune)


async def _search(ctx: Ctx, st: State, text: str, *, from_step: bool) -> list[Reply]:
    options, sure = await commune_options(ctx, text[:100])
    if not options:
        if from_step:
            return await retry(ctx, st, "dialog.commune.unknown")
        return await finish(ctx, st, [Reply("dialog.commune.unknown")])
    chosen = area_id(options[0].value)
    if sure and chosen is not None:
        commune = await place_by_id(ctx.session, chosen)
        if commune is not None:
            return await _show(ctx, st, commune)
    remember(st, OPTIONS_KEY, options)
    return await goto(ctx, st, "atm", "pick")


def _point_params(point: ServicePoint, locale: str) -> dict[str, str]:
    hours = localize_hours(point.opening_hours, locale) if point.opening_hours else None
    return {
        "kind": f"dialog.point.{point.kind}",
        "operator": point.operator_name or point.name,
        "address": point.address,
        "hours": hours or HOURS_UNKNOWN,
    }


async def _show(ctx: Ctx, st: State, commune: Area | Place) -> list[Reply]:
    points = await service_points_in_commune(ctx.session, commune.id)
    if not points:
        return await finish(ctx, st, [Reply("dialog.atm.none", {"commune": commune.name})])
    replies = [Reply("dialog.atm.point", _point_params(p, st.locale)) for p in points[:MAX_POINTS]]
    if not any(point.kind == "atm" for point in points):  # say so, and where the nearest is
        replies.insert(0, await _no_atm_here(ctx, st, commune, points))
    return await finish(ctx, st, replies)


async def _no_atm_here(
    ctx: Ctx, st: State, commune: Area | Place, points: list[ServicePoint]
) -> Reply:
    """No ATM in the commune: the nearest one, from a place of the commune on the map."""
    here = next((p for p in points if p.latitude is not None and p.longitude is not None), None)
    found = []
    if here is not None and here.latitude is not None and here.longitude is not None:
        found = await nearest_service_points(
            ctx.session, latitude=here.latitude, longitude=here.longitude, limit=1, kinds=("atm",)
        )
    if not found:
        return Reply("dialog.atm.no_atm_at_all", {"commune": commune.name})
    atm, km = found[0]
    nearest = {k: v for k, v in _point_params(atm, st.locale).items() if k != "kind"}
    params = {"commune": commune.name, **nearest, "km": _km(km, st.locale)}
    return Reply("dialog.atm.no_atm_here", params)


def _km(distance: float, locale: str) -> str:
    """'1,2' in Vietnamese, '1.2' in English: kilometres with one decimal."""
    text = f"{distance:.1f}"
    return text.replace(".", ",") if locale == "vi" else text


async def _nearest(ctx: Ctx, st: State, latitude: float, longitude: float) -> list[Reply]:
    try:
        found = await nearest_service_points(
            ctx.session, latitude=latitude, longitude=longitude, limit=MAX_POINTS
        )
    except ValueError:  # coordinates out of range
        found = []
    if not found:
        return await finish(ctx, st, [Reply("dialog.atm.none_near")])
    replies = [
        Reply("dialog.atm.near", {**_point_params(point, st.locale), "km": _km(km, st.locale)})
        for point, km in found
    ]
    return await finish(ctx, st, replies)
