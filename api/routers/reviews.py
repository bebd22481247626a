"""The review queue: what the bot collected and an officer must approve or reject."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy import select

from api.deps import (
    PagingDep,
    ProtectorDep,
    SessionDep,
    SettingsDep,
    area_in_scope,
    one_in_scope,
    page_of,
    require,
    scoped,
)
from api.schemas.common import PROBLEMS, Page
from api.schemas.fields import Id, Text
from api.schemas.queue import ReviewDecisionIn, ReviewDecisionOut, ReviewOut
from models.officers.principal import Principal
from models.officers.reviews import Decision, decide_review
from models.officers.roles import OFFICERS, READERS
from models.requests.service import ReviewKind
from models.requests.tables import ReviewItem

router = APIRouter(prefix="/reviews", tags=["reviews"], responses=PROBLEMS)
Reader = Annotated[Principal, Depends(require(*READERS))]
Officer = Annotated[Principal, Depends(require(*OFFICERS))]


def _out(item: ReviewItem) -> ReviewOut:
    return ReviewOut.model_validate(item, from_attributes=True)


@router.get("", summary="List review items", response_model=Page[ReviewOut])
async def list_reviews(
    principal: Reader,
    session: SessionDep,
    paging: PagingDep,
    kind: ReviewKind | None = None,
    status: Text | None = "pending",
    commune_id: Id | None = None,
) -> Page[ReviewOut]:
    """Items in the caller's areas, oldest first (pending by default; status=all for every)."""
    query = scoped(select(ReviewItem), ReviewItem.commune_id, principal)
    if kind is not None:
        query = query.where(ReviewItem.kind == kind.value)
    if status and status != "all":
        query = query.where(ReviewItem.status == status)
    if commune_id is not None:
        query = query.where(ReviewItem.commune_id == commune_id)
    items, total = await page_of(session, query, paging, order_by=(ReviewItem.id,))
    return Page(
        items=[_out(i) for i in items], total=total, limit=paging.limit, offset=paging.offset
    )


@router.get("/{item_id}", summary="Read a review item", response_model=ReviewOut)
async def read_review(principal: Reader, session: SessionDep, item_id: Id) -> ReviewOut:
    """One item in the caller's areas."""
    item = await one_in_scope(
        session, ReviewItem, item_id, ReviewItem.commune_id, principal, "admin.review.not_found"
    )
    return _out(item)


@router.post(
    "/{item_id}/decision",
    summary="Approve or reject a review item",
    response_model=ReviewDecisionOut,
)
async def decide(
    principal: Officer,
    session: SessionDep,
    settings: SettingsDep,
    protector: ProtectorDep,
    item_id: Id,
    body: ReviewDecisionIn,
) -> ReviewDecisionOut:
    """Approval applies the change; the person is told either way."""
    item = await one_in_scope(
        session,
        ReviewItem,
        item_id,
        ReviewItem.commune_id,
        principal,
        "admin.review.not_found",
        for_update=True,
    )
    if body.commune_id is not None:
        area_in_scope(principal, body.commune_id)
    outcome = await decide_review(
        session,
        protector=protector,
        settings=settings,
        item=item,
        actor=principal.actor,
        decision=Decision(body.approve, body.reason, body.category, body.commune_id),
    )
    return ReviewDecisionOut(
        id=item.id,
        status=item.status,
        beneficiary_id=outcome.beneficiary_id,
        notice_id=outcome.notice.id if outcome.notice else None,
    )
