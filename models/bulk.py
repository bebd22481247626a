"""Bulk loading: many rows into one table at driver speed, inside the caller's transaction.

The statement and every value conversion come from SQLAlchemy (the table's own types), only the
hand-over to the driver is direct: `executemany` on SQLite, `COPY` on PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, String, Table, any_, bindparam, func, insert, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import Base

Processor = Callable[[Any], Any] | None


def _defaults(table: Table, given: set[str]) -> dict[str, Any]:
    """Python-side defaults of the columns not given, evaluated once for the whole batch."""
    values: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if column.key in given or default is None:
            continue
        if getattr(default, "is_callable", False):
            values[column.key] = default.arg(None)  # type: ignore[attr-defined]
        elif getattr(default, "is_scalar", False):
            values[column.key] = default.arg  # type: ignore[attr-defined]
    return values


def _column_values(
    rows: Sequence[dict[str, Any]], key: str, processor: Processor, defaults: dict[str, Any]
) -> list[Any]:
    if key in defaults:  # one value for the batch: convert it once
        value = defaults[key] if processor is None else processor(defaults[key])
        return [value] * len(rows)
    if processor is None:
        return [row[key] for row in rows]
    return [processor(row[key]) for row in rows]


def _records(
    table: Table,
    rows: Sequence[dict[str, Any]],
    order: list[str],
    dialect: Dialect,
    defaults: dict[str, Any],
) -> list[tuple[Any, ...]]:
    """Driver-ready tuples, converted by the columns' own SQLAlchemy types."""
    columns = [
        _column_values(rows, key, table.columns[key].type.bind_processor(dialect), defaults)
        for key in order
    ]
    return list(zip(*columns, strict=True))


async def bulk_insert(
    session: AsyncSession, model: type[Base], rows: Sequence[dict[str, Any]]
) -> None:
    """Insert `rows` (dicts with the same keys) into `model`'s table in the current transaction."""
    if not rows:
        return
    table = cast(Table, model.__table__)
    given = set(rows[0])
    defaults = _defaults(table, given)
    keys = [c.key for c in table.columns if c.key in given or c.key in defaults]
    connection = await session.connection()
    dialect = connection.dialect
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    if dialect.name == "postgresql":
        records = _records(table, rows, keys, dialect, defaults)
        await driver.copy_records_to_table(table.name, records=records, columns=keys)
        return
    compiled = insert(table).compile(dialect=dialect, column_keys=keys)
    order = list(compiled.positiontup or [])
    await driver.executemany(str(compiled), _records(table, rows, order, dialect, defaults))


async def reserve_ids(session: AsyncSession, model: type[Base], count: int) -> list[int]:
    """`count` primary keys for rows the caller will insert with explicit ids, in this transaction.

    Rows written with their ids known need no query afterwards to find them again. PostgreSQL
    takes them from the table's sequence (safe with concurrent writers). SQLite continues after
    the largest id: every transaction there starts with BEGIN IMMEDIATE (models/db.py), so no
    other writer can insert until we commit; should that ever not hold, the insert fails on the
    primary key instead of mixing rows up.
    """
    if count <= 0:
        return []
    table = cast(Table, model.__table__)
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        reserved = text(
            "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
        )
        rows = await connection.execute(reserved, {"table": table.name, "n": count})
        return [int(row[0]) for row in rows]
    last = await connection.scalar(select(func.max(table.c.id)))
    start = int(last or 0) + 1
    return list(range(start, start + count))


def one_of(column: Any, values: Sequence[str], dialect: Dialect) -> ColumnElement[bool]:
    """`column IN (values)` for thousands of strings, sent as one parameter.

    A plain IN renders and binds one parameter per value; here PostgreSQL gets one array
    (`= ANY`) and SQLite one JSON list read by `json_each`.
    """
    if dialect.name == "postgresql":
        return cast(
            ColumnElement[bool],
            column == any_(bindparam(None, list(values), type_=ARRAY(String))),
        )
    listed = func.json_each(json.dumps(list(values))).table_valued("value")
    return cast(ColumnElement[bool], column.in_(select(listed.c.value)))
