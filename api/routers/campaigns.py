"""Awareness campaigns: write, preview, approve, schedule, launch, pause, follow, resend."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import Response
from sqlalchemy import select

from api.admin_files import FILE_RESPONSES, download
from api.deps import PagingDep, SessionDep, SettingsDep, area_in_scope, require, scoped
from api.schemas.campaigns import (
    CampaignIn,
    CampaignOut,
    CampaignPatch,
    CountOut,
    PreviewOut,
    ScheduleIn,
    StatsOut,
)
from api.schemas.common import PROBLEMS, Page
from api.schemas.fields import Id, Text
from models.errors import NotFound
from models.officers.principal import Principal
from models.officers.roles import OFFICERS, READERS
from models.outreach import campaign_results as results
from models.outreach import campaigns as domain
from models.outreach.tables import Campaign
from models.places.loader import COMMUNE
from models.places.tables import Area

router = APIRouter(prefix="/campaigns", tags=["campaigns"], responses=PROBLEMS)
Reader = Annotated[Principal, Depends(require(*READERS))]
Officer = Annotated[Principal, Depends(require(*OFFICERS))]


def _visible(campaign: Campaign, principal: Principal) -> bool:
    """A province-wide campaign is seen province-wide; others by whoever reaches every commune."""
    if not campaign.commune_ids:
        return principal.scope.unplaced
    return all(principal.scope.covers(c) for c in campaign.commune_ids)


async def _campaign(session: SessionDep, campaign_id: int, principal: Principal) -> Campaign:
    found = await session.get(Campaign, campaign_id)
    if found is None or not _visible(found, principal):
        raise NotFound("admin.campaign.not_found", id=campaign_id)
    return found


async def _communes(session: SessionDep, wanted: list[int], principal: Principal) -> list[int]:
    """The audience's communes: each within reach; none means every commune the caller has."""
    for commune_id in wanted:
        area_in_scope(principal, commune_id)
    if wanted or principal.scope.unplaced:
        return wanted
    query = scoped(select(Area.id).where(Area.level == COMMUNE), Area.id, principal)
    return sorted((await session.scalars(query)).all())


def _out(campaign: Campaign) -> CampaignOut:
    return CampaignOut.model_validate(campaign, from_attributes=True)


@router.get("", summary="List campaigns", response_model=Page[CampaignOut])
async def list_campaigns(
    principal: Reader,
    session: SessionDep,
    paging: PagingDep,
    status_: Annotated[Text | None, Query(alias="status", examples=["running"])] = None,
) -> Page[CampaignOut]:
    """Campaigns whose audience lies within the caller's areas, newest first."""
    everything = (await session.scalars(domain.campaigns_query(status=status_))).all()
    seen = [c for c in everything if _visible(c, principal)]
    page = seen[paging.offset : paging.offset + paging.limit]
    return Page(
        items=[_out(c) for c in page], total=len(seen), limit=paging.limit, offset=paging.offset
    )


@router.post(
    "", summary="Write a campaign", status_code=status.HTTP_201_CREATED, response_model=CampaignOut
)
async def create(principal: Officer, session: SessionDep, body: CampaignIn) -> CampaignOut:
    """A draft; its audience stays within the caller's communes."""
    fields = body.model_dump()
    fields["commune_ids"] = await _communes(session, body.commune_ids, principal)
    return _out(await domain.create_campaign(session, actor=principal.actor, **fields))


@router.get("/{campaign_id}", summary="Read a campaign", response_model=CampaignOut)
async def read(principal: Reader, session: SessionDep, campaign_id: Id) -> CampaignOut:
    """The campaign's words, audience and step."""
    return _out(await _campaign(session, campaign_id, principal))


@router.patch("/{campaign_id}", summary="Change a draft", response_model=CampaignOut)
async def change(
    principal: Officer, session: SessionDep, campaign_id: Id, body: CampaignPatch
) -> CampaignOut:
    """Only a draft (or an approved one, which goes back to draft) can change."""
    await _campaign(session, campaign_id, principal)
    fields = body.model_dump(exclude_unset=True)
    if "commune_ids" in fields:
        fields["commune_ids"] = await _communes(session, fields["commune_ids"] or [], principal)
    return _out(
        await domain.update_campaign(
            session, campaign_id=campaign_id, actor=principal.actor, **fields
        )
    )


@router.get(
    "/{campaign_id}/preview", summary="Preview audience, cost and time", response_model=PreviewOut
)
async def preview(
    principal: Reader, session: SessionDep, settings: SettingsDep, campaign_id: Id
) -> PreviewOut:
    """How many people, on which channels, how many SMS parts, what it costs, how long it takes."""
    await _campaign(session, campaign_id, principal)
    seen = await domain.preview_campaign(session, campaign_id=campaign_id, settings=settings)
    return PreviewOut(**vars(seen))


@router.post(
    "/{campaign_id}/approve", summary="Approve (a second officer)", response_model=CampaignOut
)
async def approve(principal: Officer, session: SessionDep, campaign_id: Id) -> CampaignOut:
    """Another officer than the author approves the words and the audience."""
    await _campaign(session, campaign_id, principal)
    return _out(
        await domain.approve_campaign(session, campaign_id=campaign_id, actor=principal.actor)
    )


@router.post("/{campaign_id}/schedule", summary="Schedule the start", response_model=CampaignOut)
async def schedule(
    principal: Officer, session: SessionDep, campaign_id: Id, body: ScheduleIn
) -> CampaignOut:
    """The scheduler launches the campaign at `starts_at`."""
    await _campaign(session, campaign_id, principal)
    return _out(
        await domain.schedule_campaign(
            session, campaign_id=campaign_id, starts_at=body.starts_at, actor=principal.actor
        )
    )


@router.post("/{campaign_id}/launch", summary="Launch now", response_model=CampaignOut)
async def launch(
    principal: Officer, session: SessionDep, settings: SettingsDep, campaign_id: Id
) -> CampaignOut:
    """Queue one message per person of the audience (inside the campaign hours)."""
    await _campaign(session, campaign_id, principal)
    return _out(
        await domain.launch_campaign(
            session, campaign_id=campaign_id, actor=principal.actor, settings=settings
        )
    )


@router.post("/{campaign_id}/pause", summary="Pause", response_model=CountOut)
async def pause(principal: Officer, session: SessionDep, campaign_id: Id) -> CountOut:
    """Hold every message not sent yet."""
    await _campaign(session, campaign_id, principal)
    return CountOut(
        count=await domain.pause_campaign(session, campaign_id=campaign_id, actor=principal.actor)
    )


@router.post("/{campaign_id}/resume", summary="Resume", response_model=CountOut)
async def resume(principal: Officer, session: SessionDep, campaign_id: Id) -> CountOut:
    """Let the held messages go again."""
    await _campaign(session, campaign_id, principal)
    return CountOut(
        count=await domain.resume_campaign(session, campaign_id=campaign_id, actor=principal.actor)
    )


@router.post("/{campaign_id}/cancel", summary="Cancel", response_model=CountOut)
async def cancel(principal: Officer, session: SessionDep, campaign_id: Id) -> CountOut:
    """Cancel every message not sent yet; the campaign stops."""
    await _campaign(session, campaign_id, principal)
    return CountOut(
        count=await domain.cancel_campaign(session, campaign_id=campaign_id, actor=principal.actor)
    )


@router.get("/{campaign_id}/stats", summary="Live figures", response_model=StatsOut)
async def stats(principal: Reader, session: SessionDep, campaign_id: Id) -> StatsOut:
    """Queued, sent, delivered, failed by reason, suppressed, opted out since the launch."""
    await _campaign(session, campaign_id, principal)
    return StatsOut(**vars(await results.campaign_stats(session, campaign_id=campaign_id)))


@router.post(
    "/{campaign_id}/resend",
    summary="Send again to those it failed to reach",
    response_model=CountOut,
)
async def resend(
    principal: Officer, session: SessionDep, settings: SettingsDep, campaign_id: Id
) -> CountOut:
    """Each person whose latest message failed or expired gets it again, on their best route."""
    await _campaign(session, campaign_id, principal)
    return CountOut(
        count=await results.resend_failed(
            session, campaign_id=campaign_id, actor=principal.actor, settings=settings
        )
    )


@router.get(
    "/{campaign_id}/failures",
    summary="Download the failures",
    response_class=Response,
    responses=FILE_RESPONSES,
)
async def failures(
    principal: Officer,
    session: SessionDep,
    campaign_id: Id,
    format_: Annotated[str, Query(alias="format", pattern="^(csv|xlsx)$")] = "csv",
) -> Response:
    """People the campaign failed to reach, with why (addresses masked); audited."""
    await _campaign(session, campaign_id, principal)
    return download(
        await results.failures_file(
            session, campaign_id=campaign_id, actor=principal.actor, fmt=format_
        )
    )
