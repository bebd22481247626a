"""The sandbox API (only when ANSINH_SANDBOX is on): be a person on a channel, read the inbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request

from api.schemas.fields import MAX_BIGINT
from api.schemas.sandbox import (
    SandboxChoice,
    SandboxInbound,
    SandboxInbox,
    SandboxInboxItem,
    SandboxReply,
    SandboxTurn,
)
from api.webhooks.handling import app_state
from bot.sandbox import BadAddress, Reply, channel_of, converse
from models.messaging import sandbox as inbox

router = APIRouter(prefix="/api/v1/sandbox", tags=["sandbox"])


def _reply(reply: Reply) -> SandboxReply:
    rendered = reply.rendered
    sms = rendered.channel == "sms"
    return SandboxReply(
        outbox_id=reply.outbox_id,
        channel=rendered.channel,
        text=rendered.text,
        choices=[SandboxChoice(label=c.label, value=c.value) for c in rendered.choices],
        parse_mode=rendered.parse_mode,
        segments=rendered.segments if sms else None,
        encoding=rendered.encoding if sms else None,
    )


def _address(raw: str) -> str:
    """The address, forgiving an unencoded '+' (which a query string reads as a space)."""
    address = raw.strip().replace(" ", "+")
    try:
        channel_of(address)
    except BadAddress as error:
        raise HTTPException(422, f"address: {error}") from None
    return address


@router.post(
    "/inbound",
    summary="Send a message as a person",
    description="Runs the same path as a provider's webhook for the channel of the address "
    "(tel: is SMS) and answers ansinh's replies as that channel renders them. The replies are "
    "also delivered to the sandbox inbox by the dispatcher.",
)
async def send_inbound(body: SandboxInbound, request: Request) -> SandboxTurn:
    """One message from `address`; ansinh's replies."""
    state = app_state(request)
    location = (body.location.latitude, body.location.longitude) if body.location else None
    turn = await converse(
        state.sessions,
        address=body.address,
        text=body.text,
        settings=state.settings,
        protector=state.protector,
        location=location,
        shared_phone=body.shared_phone,
    )
    return SandboxTurn(event_id=turn.event_id, replies=[_reply(r) for r in turn.replies])


@router.get(
    "/inbox",
    summary="What the sandbox channel delivered",
    description="The conversation with one address, oldest first: what the tester sent (in) "
    "and what the dispatcher delivered (out).",
)
async def read_inbox(
    request: Request,
    address: Annotated[str, Query(max_length=100, examples=["tel:+84912345678"])],
    after_id: Annotated[int | None, Query(ge=0, le=MAX_BIGINT)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> SandboxInbox:
    """Messages of `address` after `after_id`."""
    address = _address(address)
    async with app_state(request).sessions() as session:
        rows = await inbox.inbox(session, address=address, after_id=after_id, limit=limit)
    items = [SandboxInboxItem.model_validate(row) for row in rows]
    return SandboxInbox(
        address=address, messages=items, last_id=items[-1].id if items else after_id
    )
