"""Questions people asked the bot for an officer: list, answer on their channel, close."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy import select

from api.deps import PagingDep, SessionDep, SettingsDep, one_in_scope, page_of, require, scoped
from api.schemas.common import PROBLEMS, Page
from api.schemas.fields import Id, Text
from api.schemas.queue import AnswerIn, CloseIn, QuestionOut
from models.officers.principal import Principal
from models.officers.questions import answer_question, close_question
from models.officers.roles import OFFICERS, READERS
from models.protection import mask_address
from models.requests.tables import Question

router = APIRouter(prefix="/questions", tags=["questions"], responses=PROBLEMS)
Reader = Annotated[Principal, Depends(require(*READERS))]
Officer = Annotated[Principal, Depends(require(*OFFICERS))]
NOT_FOUND = "admin.question.not_found"


def _out(q: Question) -> QuestionOut:
    return QuestionOut(
        id=q.id,
        status=q.status,
        channel=q.channel,
        address=mask_address(q.address),
        beneficiary_id=q.beneficiary_id,
        commune_id=q.commune_id,
        text=q.text,
        answer=q.answer,
        answered_by=q.answered_by,
        answered_at=q.answered_at,
        answer_due_by=q.answer_due_by,
        created_at=q.created_at,
    )


@router.get("", summary="List questions", response_model=Page[QuestionOut])
async def list_questions(
    principal: Reader,
    session: SessionDep,
    paging: PagingDep,
    status: Text | None = "open",
    commune_id: Id | None = None,
) -> Page[QuestionOut]:
    """Questions from the caller's areas, oldest first (open by default; status=all for every)."""
    query = scoped(select(Question), Question.commune_id, principal)
    if status and status != "all":
        query = query.where(Question.status == status)
    if commune_id is not None:
        query = query.where(Question.commune_id == commune_id)
    rows, total = await page_of(session, query, paging, order_by=(Question.id,))
    return Page(
        items=[_out(q) for q in rows], total=total, limit=paging.limit, offset=paging.offset
    )


@router.get("/{question_id}", summary="Read a question", response_model=QuestionOut)
async def read_question(principal: Reader, session: SessionDep, question_id: Id) -> QuestionOut:
    """One question from the caller's areas."""
    return _out(
        await one_in_scope(
            session, Question, question_id, Question.commune_id, principal, NOT_FOUND
        )
    )


@router.post("/{question_id}/answer", summary="Answer a question", response_model=QuestionOut)
async def answer(
    principal: Officer,
    session: SessionDep,
    settings: SettingsDep,
    question_id: Id,
    body: AnswerIn,
) -> QuestionOut:
    """The answer goes to the person on the channel they asked from."""
    question = await one_in_scope(
        session, Question, question_id, Question.commune_id, principal, NOT_FOUND, for_update=True
    )
    await answer_question(
        session, question=question, answer=body.answer, actor=principal.actor, settings=settings
    )
    return _out(question)


@router.post("/{question_id}/close", summary="Close a question", response_model=QuestionOut)
async def close(
    principal: Officer, session: SessionDep, question_id: Id, body: CloseIn
) -> QuestionOut:
    """No further answer is expected."""
    question = await one_in_scope(
        session, Question, question_id, Question.commune_id, principal, NOT_FOUND, for_update=True
    )
    await close_question(session, question=question, actor=principal.actor, reason=body.reason)
    return _out(question)
