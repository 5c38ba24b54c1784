"""Writes to the procedure inventory and the online drive — the one place where they change.

Permission rules (:mod:`shinchoku.core.permissions`): the planning division (企画・DX推進課 /
情報管理課) maintains the inventory, makes selections and records peer figures; a department editor
updates its own department's procedures (online status, channel, blockers, volume) and swaps its own
chosen procedures; auditors and executives read only. ``user=None`` is a system job.

The selection rule and the swap rule are the pure functions of :mod:`shinchoku.procedures.selection`;
this module only loads the inventory, persists the outcome and refuses what they refuse (with their
Japanese message, as a ValidationError).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from shinchoku.core.permissions import require_department, require_planning
from shinchoku.core.fiscal import fiscal_year_of
from shinchoku.core.models import Department, Municipality
from shinchoku.procedures import selection as rules
from shinchoku.procedures.inventory_io import stored_text
from shinchoku.procedures.models import (
    Channel,
    DepartmentQuota,
    PeerAchievement,
    Procedure,
    SelectionItem,
    SelectionSwap,
    TargetSelection,
)

PROCEDURE_FIELDS = ("name", "section", "legal_basis", "yearly_volume", "online", "channel", "blockers", "target_year", "note")


def department_by_name(municipality: Municipality, name: str) -> Department:
    """The municipality's department of that name, created on first mention (部 when the name ends in 部)."""
    department = Department.objects.filter(municipality=municipality, name=name).first()
    if department is None:
        kind = Department.Kind.BUREAU if name.endswith("部") else Department.Kind.DIVISION
        department = Department.objects.create(municipality=municipality, name=name, kind=kind)
    return department


def _clean(values: dict) -> dict:
    unknown = set(values) - set(PROCEDURE_FIELDS)
    if unknown:
        raise TypeError(f"unknown procedure fields: {sorted(unknown)}")
    out = dict(values)
    for name in ("name", "section", "legal_basis", "note"):
        if name in out:  # as the inventory import stores them, so that export → import changes nothing
            out[name] = stored_text(out[name], keep_lines=name == "note")
    if "blockers" in out:
        out["blockers"] = sorted(dict.fromkeys(out["blockers"] or []))
    if "channel" in out and out["channel"] and out["channel"] not in Channel.values:
        raise ValidationError(f"オンライン化の手段「{out['channel']}」は選べません（{'・'.join(Channel.labels)}）")
    if "yearly_volume" in out and (out["yearly_volume"] is None or int(out["yearly_volume"]) < 0):
        raise ValidationError("年間件数は0以上の整数で入力してください")
    return out


def create_procedure(user, municipality: Municipality, *, key: str, department: Department, **values) -> Procedure:
    require_department(user, municipality, [department], "行政手続の登録")
    if department.municipality_id != municipality.pk:
        raise PermissionDenied("所管部局は同じ団体のものだけを指定できます")
    if not key or not values.get("name"):
        raise ValidationError("事務番号と手続名を入力してください")
    if Procedure.objects.filter(municipality=municipality, key=key).exists():
        raise ValidationError(f"事務番号「{key}」は既に登録されています")
    return Procedure.objects.create(municipality=municipality, key=key, department=department, **_clean(values))


def update_procedure(user, procedure: Procedure, *, department: Department | None = None, **values) -> Procedure:
    """Change a procedure; moving it to another department is the planning division's decision."""
    require_department(user, procedure.municipality_id, [procedure.department], f"「{procedure.name}」の更新")
    values = _clean(values)
    if department is not None and department.pk != procedure.department_id:
        require_planning(user, procedure.municipality_id, "所管部局の変更")
        if department.municipality_id != procedure.municipality_id:
            raise PermissionDenied("所管部局は同じ団体のものだけを指定できます")
        procedure.department = department
    changed = [k for k, v in values.items() if getattr(procedure, k) != v]
    for k in changed:
        setattr(procedure, k, values[k])
    if changed or department is not None:
        procedure.save()
    return procedure


def set_online(user, procedure: Procedure, *, online: bool = True, channel: str = "") -> Procedure:
    """Record that a procedure is (or is no longer) online, and through which channel."""
    if online and not channel:
        raise ValidationError("オンライン化の手段を選んでください（東京共同電子申請・ぴったりサービス・LoGoフォーム・独自フォーム）")
    return update_procedure(user, procedure, online=online, channel=channel if online else "")


# --------------------------------------------------------------------------- selection


def procedure_data(p: Procedure, department_name: str | None = None) -> rules.ProcedureData:
    return rules.ProcedureData(
        key=p.key, name=p.name, department=department_name or p.department.name, yearly_volume=int(p.yearly_volume),
        online=p.online, channel=p.get_channel_display() if p.channel else None, blockers=frozenset(p.blockers or []),
        section=p.section or None, legal_basis=p.legal_basis or None, target_year=p.target_year,
    )


def inventory(municipality: Municipality) -> list[rules.ProcedureData]:
    return [procedure_data(p) for p in Procedure.objects.filter(municipality=municipality).select_related("department")]


def _default_name(municipality: Municipality, fiscal_year: int) -> str:
    base = f"{fiscal_year}年度 オンライン化対象事務"
    name, i = base, 2
    while TargetSelection.objects.filter(municipality=municipality, name=name).exists():
        name, i = f"{base}（{i}）", i + 1
    return name


def create_selection(
    user, municipality: Municipality, *, n: int | None = None, target_total: int | None = None,
    fiscal_year: int | None = None, name: str | None = None,
) -> TargetSelection:
    """Choose the targets (selection rule) and persist them with each department's quota."""
    require_planning(user, municipality, "オンライン化対象事務の選定")
    procs = list(Procedure.objects.filter(municipality=municipality).select_related("department"))
    if not procs:
        raise ValidationError("行政手続が登録されていません。先に手続の一覧を取り込んでください")
    try:
        chosen = rules.select_targets([procedure_data(p) for p in procs], n=n, target_total=target_total)
    except rules.SelectionError as exc:
        raise ValidationError(str(exc))
    fiscal_year = fiscal_year or fiscal_year_of(timezone.localdate())
    by_key = {p.key: p for p in procs}
    departments = {p.department.name: p.department for p in procs}
    online_by_dept = chosen.online_by_department()
    with transaction.atomic():
        name = name or _default_name(municipality, fiscal_year)
        if TargetSelection.objects.filter(municipality=municipality, name=name).exists():
            raise ValidationError(f"選定「{name}」は既にあります。別の名称を指定してください")
        sel = TargetSelection.objects.create(
            municipality=municipality, name=name, fiscal_year=fiscal_year, n=chosen.n, target_total=target_total,
            already_online=chosen.already_online, needed_for_target=chosen.needed_for_target,
            eligible_count=chosen.eligible_count, blocked_count=chosen.blocked_count,
            not_online_count=sum(1 for p in procs if not p.online), shortfall=chosen.shortfall,
            notes=list(chosen.notes), created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        for rank, pd in enumerate(chosen.selected, start=1):
            p = by_key[pd.key]
            SelectionItem.objects.create(
                municipality=municipality, selection=sel, procedure=p, department=p.department, rank=rank,
                volume_at_selection=p.yearly_volume,
            )
        for dept_name, quota in chosen.quotas.items():
            DepartmentQuota.objects.create(
                municipality=municipality, selection=sel, department=departments[dept_name], quota=quota,
                already_online=online_by_dept.get(dept_name, 0),
            )
    return sel


def selection_state(sel: TargetSelection) -> rules.Selection:
    """The persisted selection as the pure :class:`~shinchoku.procedures.selection.Selection` (current inventory)."""
    procs = list(Procedure.objects.filter(municipality_id=sel.municipality_id).select_related("department"))
    data = {p.pk: procedure_data(p) for p in procs}
    items = list(sel.items.order_by("rank").values_list("procedure_id", flat=True))
    return rules.Selection(
        selected=tuple(data[pk] for pk in items),
        n=sel.n, target_total=sel.target_total, already_online=sel.already_online,
        needed_for_target=sel.needed_for_target, difference=None, eligible_count=sel.eligible_count,
        blocked_count=sel.blocked_count, shortfall=sel.shortfall, inventory={d.key: d for d in data.values()},
        notes=tuple(sel.notes or ()),
    )


def swap_procedure(user, sel: TargetSelection, *, out_key: str, in_key: str, reason: str = "") -> SelectionSwap:
    """Exchange a chosen procedure for another of the same department (the department's quota never drops).

    Refused with the rule's message (ValidationError) — e.g. 「区民部の割当件数が47件から46件に減るため
    入れ替えできません…」 — and refused (PermissionDenied) unless the user answers for the department
    of the procedure taken out.
    """
    out_p = Procedure.objects.filter(municipality_id=sel.municipality_id, key=out_key).select_related("department").first()
    if out_p is None:
        raise ValidationError(f"事務番号「{out_key}」の手続はありません")
    require_department(user, sel.municipality_id, [out_p.department], "対象事務の入替え")
    in_p = Procedure.objects.filter(municipality_id=sel.municipality_id, key=in_key).select_related("department").first()
    if in_p is None:
        raise ValidationError(f"事務番号「{in_key}」の手続はありません")
    with transaction.atomic():
        state = selection_state(sel)
        try:
            rules.swap(state, out_p.department.name, out_key, in_key)
        except rules.SelectionError as exc:
            raise ValidationError(str(exc))
        # The persisted quota is the authority: never below it, whatever happened to the inventory since.
        quota = DepartmentQuota.objects.filter(selection=sel, department=out_p.department).first()
        kept = sel.items.filter(procedure__department=out_p.department).exclude(procedure=out_p).count() + (
            1 if in_p.department_id == out_p.department_id else 0
        )
        if quota is not None and kept < quota.quota:
            raise ValidationError(
                f"{out_p.department.name}の割当件数{quota.quota}件を下回るため入れ替えできません（部に割り振られた件数は変更できません）"
            )
        item = sel.items.get(procedure=out_p)
        item.procedure = in_p
        item.department = in_p.department
        item.volume_at_selection = in_p.yearly_volume
        item.swapped_in = True
        item.save()
        return SelectionSwap.objects.create(
            municipality_id=sel.municipality_id, selection=sel, department=out_p.department, out_procedure=out_p,
            in_procedure=in_p, reason=reason, swapped_by=user if getattr(user, "is_authenticated", False) else None,
        )


def record_peer_achievement(
    user, municipality: Municipality, *, department: Department, peer: str, online_count: int,
    fiscal_year: int | None = None, source: str = "",
) -> PeerAchievement:
    require_planning(user, municipality, "他自治体の実績の登録")
    obj = PeerAchievement.objects.filter(department=department, peer=peer, fiscal_year=fiscal_year).first()
    if obj is None:
        return PeerAchievement.objects.create(
            municipality=municipality, department=department, peer=peer, online_count=online_count,
            fiscal_year=fiscal_year, source=source,
        )
    if (obj.online_count, obj.source) != (online_count, source):
        obj.online_count, obj.source = online_count, source
        obj.save()
    return obj


def import_inventory_rows(user, municipality: Municipality, rows: list[dict], *, source: str, dry_run: bool):
    """Import parsed inventory rows (:func:`~shinchoku.procedures.inventory_io.parse_inventory`) into the
    municipality — the planning division's job, all or nothing (``dry_run`` rolls back and reports the
    counts a real run would write)."""
    from shinchoku.procedures.inventory_io import import_inventory

    require_planning(user, municipality, "行政手続の一覧の取り込み")
    return import_inventory(rows, source=source, municipality_code=municipality.code,
                            municipality_name=municipality.name, dry_run=dry_run)


def bulk_upsert_procedures(municipality: Municipality, rows: Iterable[dict], tally) -> None:
    """Create or update procedures by 事務番号 (importer; the caller checked permissions and validated)."""
    existing = {p.key: p for p in Procedure.objects.filter(municipality=municipality)}
    departments = {d.name: d for d in Department.objects.filter(municipality=municipality)}
    for row in rows:
        dept_name = row["department"]
        dept = departments.get(dept_name)
        if dept is None:
            dept = department_by_name(municipality, dept_name)
            departments[dept_name] = dept
            tally.count("所管部局", "created")
        values = {k: row[k] for k in PROCEDURE_FIELDS}
        values["blockers"] = sorted(dict.fromkeys(values["blockers"]))
        values["department"] = dept
        p = existing.get(row["key"])
        if p is None:
            Procedure.objects.create(municipality=municipality, key=row["key"], **values)
            tally.count("行政手続", "created")
            continue
        changed = [k for k, v in values.items() if getattr(p, k) != v]
        if changed:
            for k in changed:
                setattr(p, k, values[k])
            p.save()
            tally.count("行政手続", "updated")
        else:
            tally.count("行政手続", "unchanged")
