"""The list envelope `{items, total, limit, offset}` and its query parameters."""

from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar, cast

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import Select, func
from sqlmodel import Session, select

MAX_LIMIT = 500
MAX_OFFSET = 1_000_000


class PageParams(BaseModel):
    limit: int
    offset: int


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="rows per page")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows to skip")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def paginate(session: Session, stmt: Select[Any], page: PageParams) -> tuple[list[Any], int]:
    """Rows of one page of `stmt` (which must be ordered) and the total row count."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(session.scalars(stmt.limit(page.limit).offset(page.offset)))
    return rows, total


def page_of(
    session: Session,
    stmt: Select[Any],
    page: PageParams,
    schema: type[BaseModel] | Callable[[list[Any]], list[Any]],
) -> Page[Any]:
    """One page of `stmt` in the list envelope, its rows turned into `schema` (a model, or a
    function of the rows when loading them needs more than the row)."""
    rows, total = paginate(session, stmt, page)
    items: list[Any]
    if isinstance(schema, type):
        model = cast(type[BaseModel], schema)
        items = [model.model_validate(r) for r in rows]
    else:
        items = list(schema(rows))
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)
