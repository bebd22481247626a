"""Questions people asked the bot for an officer: answered on their own channel, then closed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models.audit.service import record
from models.base import utcnow
from models.errors import Conflict, Invalid
from models.messaging.service import enqueue
from models.messaging.tables import OutboxMessage
from models.requests.tables import Question
from models.settings import Settings

OPEN, ANSWERED, CLOSED = "open", "answered", "closed"
MAX_ANSWER = 1000


async def answer_question(
    session: AsyncSession,
    *,
    question: Question,
    answer: str,
    actor: str,
    settings: Settings,
    now: datetime | None = None,
) -> OutboxMessage | None:
    """Send the answer to the address the question came from; the question becomes answered."""
    text = " ".join(answer.split())
    if not text:
        raise Invalid("admin.question.answer_missing")
    if question.status == CLOSED:
        raise Conflict("admin.question.closed")
    now = now or utcnow()
    question.answer, question.answered_by, question.answered_at = text[:MAX_ANSWER], actor, now
    question.status = ANSWERED
    await record(
        session,
        actor=actor,
        action="answer",
        entity="question",
        entity_id=question.id,
        details={"length": len(question.answer)},
    )
    return await enqueue(
        session,
        person_id=question.person_id,
        address=question.address,
        key="admin.question_answer",
        params={"answer": question.answer},
        message_class="reply",
        settings=settings,
        now=now,
    )


async def close_question(
    session: AsyncSession, *, question: Question, actor: str, reason: str | None = None
) -> Question:
    """Close a question (answered, or needing no answer)."""
    if question.status == CLOSED:
        raise Conflict("admin.question.closed")
    question.status = CLOSED
    await record(
        session,
        actor=actor,
        action="close",
        entity="question",
        entity_id=question.id,
        reason=reason,
    )
    return question
