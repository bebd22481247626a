"""Every error as RFC 9457 problem details, in one place."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from messages.render import render_text
from models.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    TooLarge,
    TooManyAttempts,
    Unauthorized,
)

PROBLEM = "application/problem+json"
DATABASE_RETRY_SECONDS = 5  # a lock or a restart is over in seconds; the caller tries again
_STATUS = {
    NotFound: 404,
    Invalid: 422,
    Conflict: 409,
    Unauthorized: 401,
    Forbidden: 403,
    TooLarge: 413,
    TooManyAttempts: 429,
}


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
    response = problem(
        status, title, type_=f"urn:ansinh:problem:{error.key}", code=error.key, params=error.params
    )
    if isinstance(error, TooManyAttempts):
        response.headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, Unauthorized):
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


async def _validation(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in error.errors()]
    return problem(422, "The request is not valid.", errors=errors)


async def _http(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 400:
        # The framework's only 400: a body it cannot read (not UTF-8, a broken multipart form).
        # Like a body that is not JSON, it is an invalid request, as every route documents.
        return problem(
            422, "The request is not valid.", errors=[{"loc": ["body"], "msg": str(error.detail)}]
        )
    response = problem(error.status_code, str(error.detail))
    for name, value in (error.headers or {}).items():
        response.headers[name] = value
    return response


async def _database(request: Request, error: Exception) -> JSONResponse:
    """A database that is locked, full, restarting or out of free connections: nothing was
    kept, so ask to retry."""
    if isinstance(error, DBAPIError):
        transient = isinstance(error, OperationalError | InterfaceError)
        if not (transient or error.connection_invalidated):
            raise error
    full = isinstance(error, DBAPIError) and "full" in str(error.orig).lower()
    title = "The database is full" if full else "The database is busy or restarting"
    response = problem(
        503, f"{title}; nothing was saved. Try again later.", type_="urn:ansinh:problem:database"
    )
    response.headers["Retry-After"] = str(DATABASE_RETRY_SECONDS)
    return response


def install(app: FastAPI) -> None:
    """Map domain, validation, HTTP and passing database errors to problem details."""
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(DBAPIError, _database)
    app.add_exception_handler(PoolTimeout, _database)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
