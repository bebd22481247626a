"""The officers' admin API under /api/v1: sign-in, access, registry, reviews, audit and more."""

from __future__ import annotations

from fastapi import APIRouter

from api.routers import (
    access,
    audit,
    auth,
    beneficiaries,
    data_requests,
    questions,
    reconciliation,
    reviews,
    transfers,
)

PREFIX = "/api/v1"

router = APIRouter(prefix=PREFIX)
router.include_router(auth.router)
router.include_router(access.router)
# /beneficiaries/import and /export before /beneficiaries/{id}, which would take their names.
router.include_router(transfers.router)
router.include_router(beneficiaries.router)
router.include_router(reviews.router)
router.include_router(reconciliation.router)
router.include_router(data_requests.router)
router.include_router(questions.router)
router.include_router(audit.router)
