"""The API of core's records: municipalities (団体) and departments (所管課), mounted by ``shinchoku/api.py``.

Who reads what: a member of a municipality reads its own municipality and every department of it;
anyone reads the municipalities and departments that appear in published data. What is published
is decided by the apps that publish (core does not know plans): they declare it with
:func:`published_by` when their router is loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from ninja import Query, Router, Schema
from pydantic import Field

from shinchoku.core.access import Access
from shinchoku.core.apikit import READ_ERRORS, Id, Page, caller, id_path, id_query, limit_query, offset_query, one, page
from shinchoku.core.models import Department, Municipality


@dataclass(frozen=True)
class Publication:
    """Subqueries of the ids an app publishes: municipalities (``municipality_id``) and departments."""

    municipality_ids: Callable[[], QuerySet]
    department_ids: Callable[[], QuerySet]


_PUBLICATIONS: list[Publication] = []


def published_by(municipality_ids: Callable[[], QuerySet], department_ids: Callable[[], QuerySet]) -> None:
    """Declare what an app publishes (``plans/api.py``: published plans and the owners of their items)."""
    publication = Publication(municipality_ids, department_ids)
    if publication not in _PUBLICATIONS:
        _PUBLICATIONS.append(publication)


def _published(attribute: str) -> Q:
    published = Q(pk__in=[])
    for publication in _PUBLICATIONS:
        published |= Q(pk__in=getattr(publication, attribute)())
    return published


def municipality_scope(access: Access) -> QuerySet[Municipality]:
    public = _published("municipality_ids")
    if access.is_member:
        return Municipality.objects.filter(Q(pk=access.municipality_id) | public)
    return Municipality.objects.filter(public)


def department_scope(access: Access) -> QuerySet[Department]:
    public = _published("department_ids")
    if access.is_member:
        return Department.objects.filter(Q(municipality_id=access.municipality_id) | public)
    return Department.objects.filter(public)


class MunicipalityOut(Schema):
    id: int
    code: str = Field(description="全国地方公共団体コード（6桁）")
    name: str


class MunicipalityPage(Page):
    items: list[MunicipalityOut]


class DepartmentOut(Schema):
    id: int
    municipality_id: int
    name: str
    kind: str
    parent_id: int | None
    active: bool


class DepartmentPage(Page):
    items: list[DepartmentOut]


router = Router(tags=["団体・所管課"])
DEPARTMENT_FIELDS = ("id", "municipality_id", "name", "kind", "parent_id", "active")


@router.get("/municipalities", response={200: MunicipalityPage, **READ_ERRORS}, summary="団体の一覧")
def list_municipalities(request, limit: int = limit_query(), offset: int = offset_query()):
    qs = municipality_scope(caller(request)).order_by("code")
    return page(qs.values("id", "code", "name"), limit, offset)


@router.get("/municipalities/{municipality_id}", response={200: MunicipalityOut, **READ_ERRORS}, summary="団体")
def get_municipality(request, municipality_id: Id = id_path()):
    return one(municipality_scope(caller(request)), municipality_id)


@router.get("/departments", response={200: DepartmentPage, **READ_ERRORS}, summary="所管課の一覧")
def list_departments(
    request,
    municipality: Id | None = id_query("団体ID"),
    active: bool | None = Query(None, description="現存する所管課だけ"),
    limit: int = limit_query(),
    offset: int = offset_query(),
):
    qs = department_scope(caller(request))
    if municipality is not None:
        qs = qs.filter(municipality_id=municipality)
    if active is not None:
        qs = qs.filter(active=active)
    return page(qs.order_by("municipality_id", "name", "id").values(*DEPARTMENT_FIELDS), limit, offset)


@router.get("/departments/{department_id}", response={200: DepartmentOut, **READ_ERRORS}, summary="所管課")
def get_department(request, department_id: Id = id_path()):
    return one(department_scope(caller(request)), department_id)
