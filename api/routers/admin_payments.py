"""The admin API's payment work under /api/v1: payment lists and results, campaigns,
account-opening sessions, service points, reports and reminders.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.routers import (
    campaigns,
    payment_lists,
    payment_results,
    reports,
    service_points,
    sessions,
)

PREFIX = "/api/v1"

router = APIRouter(prefix=PREFIX)
router.include_router(payment_lists.router)
router.include_router(payment_results.router)
router.include_router(campaigns.router)
router.include_router(sessions.router)
router.include_router(service_points.router)
router.include_router(reports.router)
