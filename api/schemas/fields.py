"""Request field types bounded by what the database can hold, so no input reaches it as a 500.

Ids and amounts are INTEGER columns, 32-bit on PostgreSQL; PostgreSQL refuses NUL characters
in text. A value outside these bounds is answered 422 like any other invalid input, and the
bounds are in the OpenAPI schema, so clients (and fuzzers) know them.
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Ge, Le
from pydantic import StringConstraints

MAX_INT = 2**31 - 1  # PostgreSQL INTEGER
MAX_BIGINT = 2**63 - 1  # PostgreSQL BIGINT (the outbox and sandbox inbox ids)
NO_NUL = r"^[^\x00]*$"

Id = Annotated[int, Ge(1), Le(MAX_INT)]  # the id of a row
Count = Annotated[int, Ge(0), Le(MAX_INT)]  # an amount in VND, an offset, a number of items
Text = Annotated[str, StringConstraints(pattern=NO_NUL)]  # any text: no NUL character
