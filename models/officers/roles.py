"""Roles and what each may do: one table every interface checks against."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What an officer or an API key is for."""

    PROVINCE_ADMIN = "province_admin"  # everything, including officers and API keys
    PROVINCE_OFFICER = "province_officer"  # keeps the registry of the province
    COMMUNE_OFFICER = "commune_officer"  # keeps the registry of one commune
    PAYER = "payer"  # the paying bank or post office (API keys)
    AUDITOR = "auditor"  # reads everything masked and the audit log; changes nothing


ADMIN = (Role.PROVINCE_ADMIN,)
# Keep the registry: create, change, decide reviews, answer questions, read full values.
OFFICERS = (Role.PROVINCE_ADMIN, Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER)
# Read the registry, masked.
READERS = (*OFFICERS, Role.AUDITOR)
# Decide personal-data requests: export everything held, anonymise.
PRIVACY = (Role.PROVINCE_ADMIN, Role.PROVINCE_OFFICER)
# Read the reconciliation lists (the paying bank matches its results against them).
RECONCILERS = (*READERS, Role.PAYER)
# Export the reconciliation lists with full account numbers, for a stated reason.
RECONCILE_FULL = (*OFFICERS, Role.PAYER)
# Read the audit log.
AUDIT = (Role.PROVINCE_ADMIN, Role.AUDITOR)
# Roles an officer account may have; API keys are always payers.
OFFICER_ROLES = (
    Role.PROVINCE_ADMIN,
    Role.PROVINCE_OFFICER,
    Role.COMMUNE_OFFICER,
    Role.AUDITOR,
)
