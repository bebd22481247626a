"""Every error as RFC 9457 problem details, in one place."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from messages.render import render_text
from models.errors import Conflict, DomainError, Invalid, NotFound

PROBLEM = "application/problem+json"
_STATUS = {NotFound: 404, Invalid: 422, Conflict: 409}


def problem(status: int, title: str, *, type_: str = "about:blank", **extra: Any) -> JSONResponse:
    """A problem-details response."""
    body = {"type": type_, "title": title, "status": status, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _locale(request: Request) -> str:
    wanted = request.headers.get("accept-language", "vi")[:2].lower()
    return "en" if wanted == "en" else "vi"


async def _domain(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    status = next((code for kind, code in _STATUS.items() if isinstance(error, kind)), 400)
    title = render_text(error.key, error.params, locale=_locale(request))
    return problem(
        status, title, type_=f"urn:ansinh:problem:{error.key}", code=error.key, params=error.params
    )


async def _validation(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in error.errors()]
    return problem(422, "The request is not valid.", errors=errors)


async def _http(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    response = problem(error.status_code, str(error.detail))
    for name, value in (error.headers or {}).items():
        response.headers[name] = value
    return response


def install(app: FastAPI) -> None:
    """Map domain, validation and HTTP errors to problem details."""
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
