"""Communes named by a person: accent- and typo-tolerant, former names understood."""

from __future__ import annotations

from bot.dialog.engine import Ctx, Opt, State
from models.places.service import AreaMatch, resolve_address, search_communes

MAX_OPTIONS = 5
SURE = 1.0


def _options_of(match: AreaMatch) -> list[Opt]:
    """Today's commune(s) for a match; a former commune shows where it went."""
    if not match.area.legacy:
        return [Opt(f"c{match.area.id}", label=match.area.name)]
    former = match.area.name
    if match.district is not None:
        former = f"{former}, {match.district.name}"
    return [Opt(f"c{target.id}", label=f"{former} -> {target.name}") for target in match.now_in]


async def _old_address(ctx: Ctx, text: str) -> tuple[list[Opt], bool] | None:
    """'Hoàng Văn Thụ, Bình Gia': a commune with its former district, read as on old lists."""
    commune, _, district = text.partition(",")
    found = await resolve_address(ctx.session, commune=commune, district=district)
    if found.current is not None:
        return [Opt(f"c{found.current.id}", label=found.current.name)], True
    if found.candidates:
        return [Opt(f"c{area.id}", label=area.name) for area in found.candidates], False
    return None


async def commune_options(ctx: Ctx, text: str) -> tuple[list[Opt], bool]:
    """Candidate communes for `text`, and whether the first is certainly the one meant."""
    if "," in text:
        found = await _old_address(ctx, text)
        if found is not None:
            return found
        text = text.partition(",")[0]
    matches = await search_communes(ctx.session, text, include_legacy=True, limit=MAX_OPTIONS)
    options: list[Opt] = []
    for match in matches:
        for option in _options_of(match):
            if all(o.value != option.value for o in options):
                options.append(option)
    options = options[:MAX_OPTIONS]
    # Sure when every exact match leads to one commune today ("Bình Gia": the former
    # township and today's commune); "Hoàng Văn Thụ" names several, so the person chooses.
    exact = {o.value for m in matches if m.score >= SURE for o in _options_of(m)}
    sure = len(options) == 1 or (len(exact) == 1 and options[0].value in exact)
    return options, sure


def remember(st: State, key: str, options: list[Opt]) -> None:
    """Keep candidate options in the state, to show them again."""
    st.data[key] = [[o.value, o.label] for o in options]


def recalled(st: State, key: str) -> tuple[Opt, ...]:
    """The options kept by `remember`."""
    return tuple(Opt(value, label=label) for value, label in st.data.get(key) or [])


def area_id(value: str | None) -> int | None:
    """The area id of an option value 'c<id>'."""
    if not value or not value.startswith("c") or not value[1:].isdigit():
        return None
    return int(value[1:])
