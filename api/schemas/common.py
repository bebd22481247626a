"""What every admin route shares: problem details, pages of results, the documented errors."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Problem(BaseModel):
    """An error as RFC 9457 problem details; `code` is the message key, `title` its words."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "urn:ansinh:problem:registry.beneficiary_not_found",
                    "title": "Không tìm thấy đối tượng.",
                    "status": 404,
                    "code": "registry.beneficiary_not_found",
                    "params": {"id": "12"},
                }
            ]
        },
    )

    type: str = "about:blank"
    title: str
    status: int
    code: str | None = None
    params: dict[str, str] | None = None


def _problem(description: str, code: str, status: int) -> dict[str, Any]:
    example = {
        "type": f"urn:ansinh:problem:{code}",
        "title": description,
        "status": status,
        "code": code,
        "params": {},
    }
    return {
        "model": Problem,
        "description": description,
        "content": {"application/problem+json": {"example": example}},
    }


# Every admin route documents these (FastAPI adds 422 for invalid parameters itself).
PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: _problem(
        "Not signed in, or the token expired, or the API key is unknown.", "admin.auth.missing", 401
    ),
    403: _problem("The caller's role may not do this.", "admin.auth.forbidden", 403),
    404: _problem(
        "Not found, or outside the caller's areas.", "registry.beneficiary_not_found", 404
    ),
    409: _problem("The request clashes with the current state.", "admin.beneficiary.deceased", 409),
    413: _problem("The upload is larger than allowed.", "admin.import.too_large", 413),
    422: _problem("The request is not valid.", "id.cccd.length", 422),
    429: _problem(
        "Too many attempts: wait Retry-After seconds.", "admin.auth.too_many_attempts", 429
    ),
}


class Page(BaseModel, Generic[T]):
    """One page of a list, and how many items the whole list has."""

    items: list[T]
    total: int = Field(description="Items matching the filters, on every page.", examples=[132])
    limit: int = Field(examples=[50])
    offset: int = Field(examples=[0])
