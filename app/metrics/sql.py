"""The only dialect-specific SQL of the metrics: whole days between two dates."""

from decimal import Decimal
from typing import Any

from sqlalchemy import Numeric
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class days_between(FunctionElement[Decimal]):
    """`later - earlier` in days (may be negative); NULL when either is NULL.

    Typed numeric (not float), so that a division by it stays numeric on PostgreSQL instead of
    being cast to double precision."""

    type = Numeric()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_pg(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    # date - date is an integer in PostgreSQL: make it numeric so later divisions are exact.
    return (
        f"CAST(CAST({compiler.process(later, **kw)} AS DATE) - "
        f"CAST({compiler.process(earlier, **kw)} AS DATE) AS NUMERIC)"
    )


@compiles(days_between, "sqlite")
def _days_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (
        f"(julianday({compiler.process(later, **kw)}) - "
        f"julianday({compiler.process(earlier, **kw)}))"
    )
