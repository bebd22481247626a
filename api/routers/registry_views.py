"""Beneficiary rows and records as response bodies: masked, or full for a stated reason."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from api.routers.views import area_refs
from api.schemas.officers import AreaRef
from api.schemas.registry import (
    BeneficiaryDetail,
    BeneficiaryItem,
    ChoiceOut,
    ConsentOut,
    ContactOut,
    RepresentationOut,
)
from models.payments.tables import PaymentMethodChoice
from models.people.record import BeneficiaryRecord, FullValues
from models.people.search import first_phones
from models.people.tables import Beneficiary, Person
from models.protection import mask_address, mask_phone

Row = tuple[Beneficiary, Person, PaymentMethodChoice | None]


async def commune_refs(session: AsyncSession, ids: Sequence[int | None]) -> dict[int, AreaRef]:
    """Area references by id for the communes of a page."""
    refs = await area_refs(session, sorted({i for i in ids if i is not None}))
    return {ref.id: ref for ref in refs}


def item(row: Row, phones: dict[int, str], communes: dict[int, AreaRef]) -> BeneficiaryItem:
    """One list entry, masked."""
    b, p, c = row
    phone = phones.get(p.id)
    return BeneficiaryItem(
        id=b.id,
        full_name=p.full_name,
        birth_year=p.birth_year,
        gender=p.gender,
        category=b.category,
        sub_category=b.sub_category,
        commune=communes.get(b.commune_id) if b.commune_id is not None else None,
        village=b.village,
        status=b.status,
        verification_status=b.verification_status,
        cccd=p.cccd_masked,
        phone=mask_phone(phone.removeprefix("tel:")) if phone else None,
        method=c.method if c else None,
        method_status=c.status if c else None,
        monthly_amount=b.monthly_amount,
        area_needs_confirmation=b.area_needs_confirmation,
    )


async def items(session: AsyncSession, rows: Sequence[Row]) -> list[BeneficiaryItem]:
    """A page of list entries, masked."""
    phones = await first_phones(session, [p.id for _, p, _ in rows])
    communes = await commune_refs(session, [b.commune_id for b, _, _ in rows])
    return [item(row, phones, communes) for row in rows]


def _choice(choice: PaymentMethodChoice | None, full: FullValues | None) -> ChoiceOut | None:
    if choice is None:
        return None
    return ChoiceOut(
        method=choice.method,
        provider_code=choice.provider_code,
        account=full.account if full and full.account else choice.account_masked,
        holder_name=choice.holder_name,
        holder_name_matches=choice.holder_name_matches,
        status=choice.status,
        confirmation_code=choice.confirmation_code,
        cash_reason=choice.cash_reason,
        created_at=choice.created_at,
    )


async def detail(
    session: AsyncSession, found: BeneficiaryRecord, full: FullValues | None
) -> BeneficiaryDetail:
    """The whole record: masked, or with ID and account numbers when `full` is given."""
    b, p = found.beneficiary, found.person
    base = (await items(session, [(b, p, found.choice)]))[0]
    fields = base.model_dump(exclude={"cccd", "commune"})
    return BeneficiaryDetail(
        **fields,
        commune=base.commune,
        cccd=full.cccd if full and full.cccd else p.cccd_masked,
        full=full is not None,
        birth_date=p.birth_date,
        cmnd=full.cmnd if full and full.cmnd else p.cmnd_masked,
        registry_code=b.registry_code,
        special_circumstances=b.special_circumstances,
        cash_at_home_allowed=b.cash_at_home_allowed,
        locale=p.locale,
        contacts=[
            ContactOut(
                address=mask_address(c.address),
                channel=c.channel,
                priority=c.priority,
                opted_out=c.opted_out_at is not None,
                reachability=c.reachability,
            )
            for c in found.contacts
        ],
        choice=_choice(found.choice, full),
        representations=[
            RepresentationOut(
                id=r.id,
                kind=r.kind,
                proxy_name=proxy.full_name,
                relationship_to=r.relationship_to,
                status=r.status,
                valid_until=r.valid_until,
            )
            for r, proxy in found.representations
        ],
        consents=[
            ConsentOut(
                purpose=c.purpose,
                notice_version=c.notice_version,
                channel=c.channel,
                given_at=c.given_at,
                withdrawn_at=c.withdrawn_at,
            )
            for c in found.consents
        ],
        created_at=b.created_at,
        updated_at=b.updated_at,
    )
