"""SQLite under asyncio in one thread hop a statement.

aiosqlite runs every sqlite3 call on its own thread, and SQLAlchemy's adapter makes four such
calls for each statement (make a cursor, execute, fetch the rows, close), each a trip through a
queue, a thread wake-up and a wake-up of the event loop. Here one function on that thread does
all four and hands back the rows with the cursor's description, row count and last row id, so a
statement costs one trip. A commit or rollback with no transaction open (the pool's reset of
every connection it takes back) costs none.

It is the same aiosqlite connection and the same sqlite3 underneath: only the number of trips
changes. `make_engine` passes it to SQLAlchemy as the DBAPI module (`create_engine(module=)`).
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy.connectors.asyncio import AsyncAdapt_dbapi_connection
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

# what one trip brings back: description, rows, row count, last row id, transaction open
_Outcome = tuple[Any, list[Any], int, int | None, bool]


def _run(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> _Outcome:
    """On aiosqlite's thread: the whole life of a cursor."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid, connection.in_transaction
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A DBAPI cursor whose statement runs, fetches and closes in one trip to the thread."""

    __slots__ = ("_arraysize", "_description", "_lastrowid", "_rowcount")
    _awaitable_cursor_close = False  # nothing is left open on the thread to close

    def __init__(self, adapt_connection: AsyncAdapt_dbapi_connection) -> None:  # no cursor
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    def _trip(self, operation: Any, parameters: Any, many: bool) -> None:
        adapted: OneTripConnection = self._adapt_connection  # type: ignore[assignment]
        driver = self._connection
        try:
            outcome: _Outcome = await_(
                driver._execute(_run, driver._conn, operation, parameters, many)
            )
        except Exception as error:
            adapted.transaction_open = True  # unknown after an error: let rollback run
            self._adapt_connection._handle_exception(error)
        description, rows, self._rowcount, self._lastrowid, adapted.transaction_open = outcome
        self._description = description
        self._rows = collections.deque(rows)

    def execute(self, operation: Any, parameters: Any = None) -> None:
        self._trip(operation, parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> None:
        self._trip(operation, seq_of_parameters, many=True)

    def nextset(self) -> None:
        return None


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """aiosqlite's connection with one-trip cursors, knowing whether a transaction is open."""

    __slots__ = ("transaction_open",)
    _cursor_cls = OneTripCursor

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self.transaction_open = True  # until a statement says otherwise

    def rollback(self) -> None:
        if self.transaction_open:
            super().rollback()
            self.transaction_open = False

    def commit(self) -> None:
        if self.transaction_open:
            super().commit()
            self.transaction_open = False


class OneTripDbapi(AsyncAdapt_aiosqlite_dbapi):
    """The aiosqlite DBAPI adapter, making `OneTripConnection`s."""

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)


def one_trip_dbapi() -> OneTripDbapi:
    """The module to give `create_async_engine(module=...)` for `sqlite+aiosqlite` URLs."""
    return OneTripDbapi(aiosqlite, sqlite3)
