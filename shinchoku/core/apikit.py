"""What every app's API router (``app/api.py``) shares — the API's counterpart of :mod:`shinchoku.core.web`.

- :func:`caller` — the :class:`~shinchoku.core.access.Access` of the request: the token's user
  (``Access.for_user``) or :meth:`~shinchoku.core.access.Access.anonymous` (published data only);
  :func:`member` — the same, but 401 without a token and 403 for a token of a user who belongs to no
  municipality (operations on a municipality's internal records);
- :func:`attributed` — writes of an API call go to the change log under the token's user (the session
  middleware only knows the anonymous browser user);
- query parameters (ids, fiscal years, ``limit``/``offset``), :func:`page` and :func:`one` — every list
  answers ``{count, limit, offset, items}`` in a fixed number of queries;
- the shared schemas (:class:`ErrorOut`, :class:`Page`, :class:`DepartmentRef`) and the text check.

The API instance, its authentication and the mapping of the actions' errors to status codes live in
``shinchoku/api.py``, which mounts every app's router.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import Any

from django.http import Http404
from ninja import Path, Query, Schema
from ninja.errors import HttpError
from pydantic import Field

from shinchoku.core import rules
from shinchoku.core.access import Access
from shinchoku.core.changelog import acting_as

MAX_ID = 2**53  # JSON-safe integers; larger ids never exist and would overflow SQLite's INTEGER
MIN_YEAR, MAX_YEAR = 1926, 2200
MAX_TEXT = 20_000
MAX_LIMIT = 500
MAX_OFFSET = 10_000_000

Id = int
Year = int


# --------------------------------------------------------------------------- who calls


def caller(request) -> Access:
    """The request's access (set by the API's authentication; anonymous when no token was sent)."""
    access = getattr(request, "auth", None)
    return access if isinstance(access, Access) else Access.anonymous()


def member(request, what: str) -> Access:
    """The caller, who must act for a municipality: 401 without a token, 403 (the rule's reason)
    for a token of a user with no membership."""
    access = caller(request)
    if not access.is_authenticated:
        raise HttpError(401, "この操作にはAPIトークンが必要です（Authorization: Bearer …）")
    rules.require(rules.member(access, access.municipality_id, what))
    return access


def attributed(access: Access, reason: str) -> AbstractContextManager:
    """Record the writes inside the block as the token's user's, with ``reason`` (method and path)."""
    return acting_as(access.user, reason=reason)


# --------------------------------------------------------------------------- parameters


def id_path(description: str = "ID"):
    return Path(..., ge=1, le=MAX_ID, description=description)


def id_query(description: str):
    return Query(None, ge=1, le=MAX_ID, description=description)


def year_query(description: str = "年度（西暦、4月始まり。2023 = 令和5年度）"):
    return Query(None, ge=MIN_YEAR, le=MAX_YEAR, description=description)


def limit_query():
    return Query(100, ge=1, le=MAX_LIMIT, description=f"1ページの件数（最大{MAX_LIMIT}）")


def offset_query():
    return Query(0, ge=0, le=MAX_OFFSET, description="先頭から飛ばす件数")


# --------------------------------------------------------------------------- answers


def page(qs, limit: int, offset: int, serialize: Callable[[list], Iterable[Any]] = list) -> dict:
    """One page of ``qs``: two queries (count, rows) plus what ``serialize`` reads for the whole page."""
    return {"count": qs.count(), "limit": limit, "offset": offset, "items": list(serialize(list(qs[offset: offset + limit])))}


def one(qs, pk: int):
    """The row ``pk`` of the caller's scope ``qs`` — 404 when it is not there (or not the caller's)."""
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404("見つかりません")
    return obj


def no_control(value: str | None) -> str | None:
    """Refuse NUL and other control characters (PostgreSQL cannot store NUL; nobody types them) and
    lone surrogates (JSON can carry ``\\ud800``, which no database encoding can store)."""
    if value is not None and any((ord(ch) < 32 and ch not in "\t\n\r") or 0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        raise ValueError("制御文字や不正な文字は使えません")
    return value


class ErrorOut(Schema):
    detail: str


class Page(Schema):
    count: int = Field(description="条件に合う件数（全ページ）")
    limit: int
    offset: int


class DepartmentRef(Schema):
    id: int
    name: str


READ_ERRORS = {401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
