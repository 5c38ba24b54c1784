"""Reads of effects for the page, its data twins and the command (a fixed number of queries)."""

from __future__ import annotations

from django.db.models import QuerySet

from shinchoku.core.access import Access
from shinchoku.core.rules import require
from shinchoku.effects import rules
from shinchoku.effects.compute import compute_effects, report
from shinchoku.effects.models import Effect


def effects_of(access: Access) -> QuerySet:
    """The effects ``access`` may read: its municipality's (every one for a command without one)."""
    if access.is_system and access.municipality is None:
        return Effect.objects.all()
    if not access.is_member or access.municipality is None:
        return Effect.objects.none()
    return Effect.objects.filter(municipality_id=access.municipality_id)


def effects_queryset(queryset: QuerySet | None = None) -> QuerySet:
    """Effects with what their computation and the export read (plan, item, department, sheet)."""
    qs = queryset if queryset is not None else Effect.objects.all()
    return qs.select_related("plan", "node", "department", "sheet__department", "municipality").order_by(
        "municipality__code", "plan__name", "fiscal_year", "node__path", "name", "pk"
    )


def effect_report(access: Access, municipality=None, *, plan_id: int | None = None, fiscal_year: int | None = None) -> dict:
    """Every effect of ``municipality`` (default: the one ``access`` acts for; a command without one:
    all) computed — formulas, rules, published-figure checks, roll-ups — as data: what the page shows
    and ``shinchoku effect compute --json`` prints. Any role of the municipality may read it."""
    require(rules.view_effects(access, municipality.pk if municipality is not None else access.municipality_id))
    qs = effects_of(access)
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    if plan_id is not None:
        qs = qs.filter(plan_id=plan_id)
    if fiscal_year is not None:
        qs = qs.filter(fiscal_year=fiscal_year)
    return report(compute_effects(effects_queryset(qs)))


def sheet_by_code(municipality, code: str, fiscal_year: int | None):
    """The evaluation sheet (事務事業分析シート) ``code`` of ``municipality`` that an effect names: the
    one of ``fiscal_year``, else its latest. Found through the ``Effect.sheet`` relation, so effects
    names no module of the evaluations app (which sits above it)."""
    sheets = Effect.sheet.field.related_model.objects.filter(municipality=municipality, code=code)
    return sheets.filter(fiscal_year=fiscal_year).first() or sheets.order_by("-fiscal_year").first()
