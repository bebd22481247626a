"""Places: the shipped units, accent-free search, old addresses and service points."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models import data
from models.errors import Invalid, NotFound
from models.places import index, service
from models.places.names import search_key, split_kind
from models.places.points import haversine_km
from models.places.tables import Area, AreaConversion, AreaLevel, Organisation
from tests.conftest import Database

UNITS = json.loads(data.UNITS_FILE.read_text(encoding="utf-8"))
# A spot in the centre of Lạng Sơn city.
CITY = (21.8537, 106.7615)


@pytest.fixture
async def session(db: Database) -> AsyncIterator[AsyncSession]:
    """A session on a database with the units and organisations loaded."""
    async with db.sessions() as s:
        await service.load_units(s)
        await service.load_organisations(s)
        await s.commit()
        yield s


async def _count(session: AsyncSession, *where: ColumnElement[bool]) -> int:
    query = select(func.count()).select_from(Area).where(*where)
    return (await session.scalar(query)) or 0


async def _commune(session: AsyncSession, name: str) -> Area:
    query = select(Area).where(Area.level == "commune", Area.name == name)
    return (await session.scalars(query)).one()


# --- loading ------------------------------------------------------------------------------
async def test_current_units(session: AsyncSession) -> None:
    communes = await service.list_communes(session)
    assert len(communes) == 65
    assert Counter(c.kind for c in communes) == {"xã": 61, "phường": 4}
    province = (await session.scalars(select(Area).where(Area.level == "province"))).one()
    assert (province.code, province.name) == ("20", "Tỉnh Lạng Sơn")
    assert {c.parent_id for c in communes} == {province.id}
    assert all(not c.legacy and str(c.valid_from) == "2025-07-01" for c in communes)
    assert all(c.latitude is None for c in communes)  # no honest source for centroids


async def test_legacy_units(session: AsyncSession) -> None:
    districts = (await session.scalars(select(Area).where(Area.level == "district"))).all()
    assert len(districts) == 11
    assert all(d.legacy and str(d.valid_until) == "2025-06-30" for d in districts)
    assert await _count(session, Area.level == "legacy_commune", Area.legacy.is_(True)) == 194
    district = aliased(Area)
    query = (
        select(Area.code, district.code)
        .join(district, Area.parent_id == district.id)
        .where(Area.level == "legacy_commune")
    )
    parents = {tuple(row) for row in (await session.execute(query)).all()}
    assert parents == {
        (str(c["code"]).zfill(5), str(c["district_code"])) for c in UNITS["legacy_communes"]
    }


async def test_levels_are_data(session: AsyncSession) -> None:
    levels = {lv.code: (lv.depth, lv.legacy) for lv in (await session.scalars(select(AreaLevel)))}
    assert levels == {
        "province": (0, False),
        "commune": (1, False),
        "district": (1, True),
        "legacy_commune": (2, True),
    }


async def test_conversion_matches_the_official_table(session: AsyncSession) -> None:
    old, new = aliased(Area), aliased(Area)
    query = (
        select(old.code, new.code, AreaConversion.partial)
        .join(old, old.id == AreaConversion.legacy_area_id)
        .join(new, new.id == AreaConversion.current_area_id)
    )
    stored = [tuple(row) for row in (await session.execute(query)).all()]
    expected = [
        (str(c["code"]).zfill(5), str(t).zfill(5), c["partly_merged"] or len(c["now_in"]) > 1)
        for c in UNITS["legacy_communes"]
        for t in c["now_in"]
    ]
    assert sorted(stored) == sorted(expected)
    assert len(stored) == 196


async def test_reload_changes_nothing(session: AsyncSession) -> None:
    report = await service.load_units(session)
    assert not report.changed
    assert report.unchanged["communes"] == 65
    assert report.unchanged["legacy_communes"] == 194
    assert report.unchanged["conversions"] == 196
    assert await service.load_organisations(session) == 0
    assert await _count(session) == 1 + 65 + 11 + 194


async def test_reload_repairs_an_edited_row(session: AsyncSession) -> None:
    commune = await _commune(session, "Phường Đông Kinh")
    commune.name, commune.search_name = "Phường X", "x"
    report = await service.load_units(session)
    assert report.updated["communes"] == 1
    assert (commune.name, commune.search_name) == ("Phường Đông Kinh", "dong kinh")


async def test_organisations(session: AsyncSession) -> None:
    banks = json.loads(data.BANKS_FILE.read_text(encoding="utf-8"))["banks"]
    kinds = Counter((await session.scalars(select(Organisation.kind))).all())
    assert kinds == {"bank": len(banks), "commune_committee": 65}
    agribank = (
        await session.scalars(select(Organisation).where(Organisation.code == "bank:AGRIBANK"))
    ).one()
    assert agribank.bank_bin == "970405"
    commune = await _commune(session, "Phường Đông Kinh")
    committee = (
        await session.scalars(select(Organisation).where(Organisation.area_id == commune.id))
    ).one()
    assert committee.name == "UBND Phường Đông Kinh"


# --- names and search -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Phường Đông Kinh", ("phường", "dong kinh")),
        ("P. Đông  Kinh", ("phường", "dong kinh")),
        ("Thị trấn NT Thái Bình", ("thị trấn", "nt thai binh")),
        ("TP. Lạng Sơn", ("thành phố", "lang son")),
        ("Xuân Dương", (None, "xuan duong")),
        ("xã", (None, "xa")),
    ],
)
def test_split_kind(text: str, expected: tuple[str | None, str]) -> None:
    assert split_kind(text) == expected


@pytest.mark.parametrize(
    "query",
    ["dong kinh", "DONG  KINH", "đông kinh", "Phường Đông Kinh", "p.dong kinh", "dong kihn"],
)
async def test_search_finds_dong_kinh(session: AsyncSession, query: str) -> None:
    matches = await service.search_communes(session, query)
    assert matches[0].area.name == "Phường Đông Kinh"
    assert matches[0].area.search_name == search_key("Phường Đông Kinh") == "dong kinh"


async def test_search_ranks_exact_then_prefix_then_typos(session: AsyncSession) -> None:
    exact = await service.search_communes(session, "dong kinh")
    typo = await service.search_communes(session, "dong kihn")
    assert exact[0].score == 1.0 and typo[0].score < 0.8
    prefix = await service.search_communes(session, "dong", limit=10)
    assert prefix[0].area.name in ("Xã Đồng Đăng", "Phường Đông Kinh")
    assert all(m.score >= 0.9 for m in prefix[:2])
    assert await service.search_communes(session, "zzzz qqq") == []
    assert await service.search_communes(session, "   ") == []


async def test_search_legacy_lists_todays_communes(session: AsyncSession) -> None:
    assert all(not m.area.legacy for m in await service.search_communes(session, "binh xa"))
    matches = await service.search_communes(session, "Bính Xá", include_legacy=True)
    assert matches[0].area.name == "Xã Bính Xá" and matches[0].area.legacy
    assert [a.name for a in matches[0].now_in] == ["Xã Đình Lập", "Xã Kiên Mộc"]
    assert matches[0].district is not None and matches[0].district.name == "Huyện Đình Lập"


@pytest.mark.parametrize("query", ["TP Lạng Sơn", "thanh pho lang son", "Lạng Sơn"])
async def test_a_former_district_named_lists_its_communes_today(
    session: AsyncSession, query: str
) -> None:
    matches = await service.search_communes(session, query, include_legacy=True)
    names = [m.area.name for m in matches]
    assert "Phường Đông Kinh" in names and "Phường Lương Văn Tri" in names
    assert all(not m.area.legacy and m.area.name.startswith("Phường") for m in matches)


async def test_a_district_and_a_commune_of_one_name(session: AsyncSession) -> None:
    named = await service.search_communes(session, "Bình Gia", include_legacy=True)
    assert named[0].area.name == "Xã Bình Gia" and named[0].score == 1.0  # the commune first
    district = await service.search_communes(session, "huyện Bình Gia", include_legacy=True)
    assert district[0].area.name == "Xã Bình Gia"  # the namesake first, then the others
    assert len(district) == 5 and all(m.score == service.DISTRICT_SCORE for m in district)


async def test_search_legacy_skips_a_namesake_that_became_itself(session: AsyncSession) -> None:
    matches = await service.search_communes(session, "dong kinh", include_legacy=True)
    assert [m.area.name for m in matches if m.score == 1.0] == ["Phường Đông Kinh"]
    assert not matches[0].area.legacy


async def test_search_keeps_the_places_until_they_are_loaded_again_or_a_minute_old(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def first(query: str) -> str:
        return (await service.search_communes(session, query))[0].area.name

    assert await first("dong kinh") == "Phường Đông Kinh"
    commune = await _commune(session, "Phường Đông Kinh")
    commune.name, commune.search_name = "Phường Đông Kinh Mới", "dong kinh moi"
    await session.commit()
    assert await first("dong kinh") == "Phường Đông Kinh"  # the names read a moment ago
    monkeypatch.setattr(index, "FRESH_SECONDS", 0.0)
    assert await first("dong kinh") == "Phường Đông Kinh Mới"  # too old: read again
    monkeypatch.undo()
    await service.load_units(session)  # the shipped name again, and the kept names forgotten
    await session.commit()
    assert await first("dong kinh") == "Phường Đông Kinh"


async def test_commune_by_code(session: AsyncSession) -> None:
    for code in ("05977", "5977", " 05977 "):
        found = await service.commune_by_code(session, code)
        assert found is not None and found.name == "Phường Đông Kinh"
    assert await service.commune_by_code(session, "06034") is None  # a former commune
    assert await service.commune_by_code(session, "abc") is None


# --- old addresses --------------------------------------------------------------------------
async def test_resolve_current_name(session: AsyncSession) -> None:
    found = await service.resolve_address(session, commune="xa kien moc")
    assert found.current is not None and found.current.name == "Xã Kiên Mộc"
    assert found.legacy is None and not found.ambiguous


async def test_resolve_unambiguous_old_commune(session: AsyncSession) -> None:
    found = await service.resolve_address(session, commune="Xã Mai Pha")
    assert found.current is not None and found.current.name == "Phường Đông Kinh"
    assert found.legacy is not None and found.legacy.name == "Xã Mai Pha"
    assert not found.ambiguous


async def test_resolve_written_kind_picks_the_former_unit(session: AsyncSession) -> None:
    # Today's Hoàng Văn Thụ is a xã; the former phường is now part of Kỳ Lừa.
    found = await service.resolve_address(session, commune="Phường Hoàng Văn Thụ")
    assert found.current is not None and found.current.name == "Phường Kỳ Lừa"
    today = await service.resolve_address(session, commune="Hoàng Văn Thụ")
    assert today.current is not None and today.current.name == "Xã Hoàng Văn Thụ"


async def test_resolve_namesakes_need_their_old_district(session: AsyncSession) -> None:
    # Xã Hồng Thái existed in Bình Gia and in Văn Lãng; each went to a different commune.
    alone = await service.resolve_address(session, commune="Hồng Thái")
    assert alone.ambiguous and alone.current is None
    assert {a.name for a in alone.candidates} == {"Xã Tân Văn", "Xã Hoàng Văn Thụ"}
    for district, today in (("Huyện Văn Lãng", "Xã Hoàng Văn Thụ"), ("binh gia", "Xã Tân Văn")):
        found = await service.resolve_address(session, commune="xa hong thai", district=district)
        assert found.current is not None and found.current.name == today
        assert found.legacy is not None and not found.ambiguous


async def test_resolve_old_district_beats_todays_namesake(session: AsyncSession) -> None:
    # Xã Chi Lăng of Tràng Định is now Thất Khê, not today's Xã Chi Lăng.
    found = await service.resolve_address(session, commune="Chi Lăng", district="Tràng Định")
    assert found.current is not None and found.current.name == "Xã Thất Khê"
    today = await service.resolve_address(session, commune="Chi Lăng")
    assert today.current is not None and today.current.name == "Xã Chi Lăng"


@pytest.mark.parametrize(
    ("commune", "district", "targets"),
    [
        ("Xã Bính Xá", None, {"Xã Đình Lập", "Xã Kiên Mộc"}),
        ("binh xa", "Huyện Đình Lập", {"Xã Đình Lập", "Xã Kiên Mộc"}),
        ("Kiên Mộc", "Đình Lập", {"Xã Kiên Mộc", "Xã Châu Sơn"}),
    ],
)
async def test_resolve_split_commune_is_never_guessed(
    session: AsyncSession, commune: str, district: str | None, targets: set[str]
) -> None:
    found = await service.resolve_address(session, commune=commune, district=district)
    assert found.ambiguous and found.current is None
    assert found.legacy is not None
    assert {a.name for a in found.candidates} == targets


@pytest.mark.parametrize(("commune", "district"), [("Xã Không Có", None), (None, None), ("", "")])
async def test_resolve_unknown(session: AsyncSession, commune: str | None, district: str) -> None:
    found = await service.resolve_address(session, commune=commune, district=district or None)
    assert found.current is None and not found.ambiguous and found.candidates == []


# --- service points ---------------------------------------------------------------------------
async def test_nearest_service_points(session: AsyncSession) -> None:
    dong_kinh = await _commune(session, "Phường Đông Kinh")
    dong_dang = await _commune(session, "Xã Đồng Đăng")
    near = await service.add_service_point(
        session, kind="atm", name="ATM A", commune_id=dong_kinh.id, address="1 Trần Đăng Ninh",
        latitude=21.8540, longitude=106.7620,
    )  # fmt: skip
    await service.add_service_point(
        session, kind="post_office", name="Bưu điện", commune_id=dong_kinh.id, address="2 Lê Lợi",
        latitude=21.8600, longitude=106.7700,
    )  # fmt: skip
    far = await service.add_service_point(
        session, kind="atm", name="ATM B", commune_id=dong_dang.id, address="Đồng Đăng",
        latitude=21.9450, longitude=106.6990,
    )  # fmt: skip
    await service.add_service_point(
        session, kind="atm", name="ATM closed", commune_id=dong_kinh.id, address="3 Lê Lợi",
        latitude=21.8537, longitude=106.7615, status="closed",
    )  # fmt: skip
    await service.add_service_point(
        session, kind="atm", name="ATM no map", commune_id=dong_kinh.id, address="4 Lê Lợi"
    )
    found = await service.nearest_service_points(
        session, latitude=CITY[0], longitude=CITY[1], kinds=["atm"]
    )
    assert [p.id for p, _ in found] == [near.id, far.id]
    assert found[0][1] < 0.1
    assert found[1][1] == pytest.approx(haversine_km(*CITY, 21.9450, 106.6990))
    assert 11 < found[1][1] < 13
    everything = await service.nearest_service_points(session, latitude=CITY[0], longitude=CITY[1])
    assert [p.name for p, _ in everything] == ["ATM A", "Bưu điện", "ATM B"]
    one = await service.nearest_service_points(
        session, latitude=CITY[0], longitude=CITY[1], limit=1
    )
    assert [p.id for p, _ in one] == [near.id]


async def test_far_points_are_found_beyond_the_first_box(session: AsyncSession) -> None:
    commune = await _commune(session, "Xã Đình Lập")
    point = await service.add_service_point(
        session, kind="withdrawal_point", name="Điểm rút tiền", commune_id=commune.id,
        address="Đình Lập", latitude=21.5400, longitude=107.1000,
    )  # fmt: skip
    found = await service.nearest_service_points(session, latitude=CITY[0], longitude=CITY[1])
    assert [(p.id, round(d)) for p, d in found] == [(point.id, 49)]


async def test_points_in_commune_and_communes_without_atm(session: AsyncSession) -> None:
    dong_kinh = await _commune(session, "Phường Đông Kinh")
    assert len(await service.communes_without_atm(session)) == 65
    await service.add_service_point(
        session, kind="atm", name="ATM", commune_id=dong_kinh.id, address="1 Lê Lợi"
    )
    await service.add_service_point(
        session, kind="payment_point", name="Điểm chi trả", commune_id=dong_kinh.id,
        address="UBND phường",
    )  # fmt: skip
    tam_thanh = await _commune(session, "Phường Tam Thanh")
    await service.add_service_point(
        session, kind="atm", name="ATM sắp có", commune_id=tam_thanh.id, address="x",
        status="planned",
    )  # fmt: skip
    without = await service.communes_without_atm(session)
    assert len(without) == 64 and dong_kinh not in without and tam_thanh in without
    points = await service.service_points_in_commune(session, dong_kinh.id)
    assert [p.kind for p in points] == ["atm", "payment_point"]
    atms = await service.service_points_in_commune(session, tam_thanh.id, kinds={"atm"})
    assert atms == []
    planned = await service.service_points_in_commune(session, tam_thanh.id, active_only=False)
    assert [p.status for p in planned] == ["planned"]


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"kind": "bank"}, "places.service_point.kind"),
        ({"status": "open"}, "places.service_point.status"),
        ({"name": "  "}, "places.service_point.name_missing"),
        ({"latitude": 21.8}, "places.coordinates.incomplete"),
        ({"latitude": 121.8, "longitude": 106.7}, "places.coordinates.range"),
    ],
)
async def test_bad_service_point(
    session: AsyncSession, changes: dict[str, object], key: str
) -> None:
    commune = await _commune(session, "Phường Đông Kinh")
    values: dict[str, object] = {"kind": "atm", "name": "ATM", "address": "1 Lê Lợi"}
    values.update(changes)
    with pytest.raises(ValueError) as raised:
        await service.add_service_point(session, commune_id=commune.id, **values)  # type: ignore[arg-type]
    assert isinstance(raised.value, Invalid) and raised.value.key == key


async def test_service_point_needs_a_current_commune(session: AsyncSession) -> None:
    old = (await session.scalars(select(Area).where(Area.level == "legacy_commune"))).first()
    assert old is not None
    with pytest.raises(NotFound):
        await service.add_service_point(
            session, kind="atm", name="ATM", commune_id=old.id, address="x"
        )
    with pytest.raises(Invalid):
        await service.nearest_service_points(session, latitude=21.8, longitude=106.7, kinds=["x"])


async def test_operator_name_comes_from_the_organisation(session: AsyncSession) -> None:
    commune = await _commune(session, "Phường Đông Kinh")
    bank = (
        await session.scalars(select(Organisation).where(Organisation.code == "bank:AGRIBANK"))
    ).one()
    point = await service.add_service_point(
        session, kind="bank_branch", name="Chi nhánh", commune_id=commune.id, address="x",
        operator_id=bank.id,
    )  # fmt: skip
    assert point.operator_name == "Agribank"
