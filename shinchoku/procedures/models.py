"""The inventory of administrative procedures (行政手続) and the drive to put them online.

- ``Procedure`` — 行政手続: name, department, legal basis, yearly volume, online status and channel,
  blockers (law requires paper, payment, original documents …), target year.
- ``TargetSelection`` — オンライン化対象の選定: the N procedures with the largest volume among those
  not online and without blockers (:mod:`shinchoku.procedures.selection`), with
  ``SelectionItem`` rows (the chosen procedures), ``DepartmentQuota`` rows (the number allotted to
  each department, fixed when the selection is made) and ``SelectionSwap`` rows (exchanges a
  department made afterwards — it may exchange procedures but not lower its quota).
- ``PeerAchievement`` — what the same department achieved in another municipality (Edogawa's 区民部:
  36 online), used to warn when a quota is far above what peers reached.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from shinchoku.core.fiscal import label as fy_label
from shinchoku.core.models import Department, TenantModel
from shinchoku.procedures.selection import BLOCKERS, DEFAULT_FAR_FACTOR


class Channel(models.TextChoices):
    """オンライン化の手段."""

    TOKYO = "tokyo_kyodo", "東京共同電子申請"
    PITTARI = "pittari", "ぴったりサービス"
    LOGO = "logo", "LoGoフォーム"
    OWN = "own", "独自フォーム"
    OTHER = "other", "その他"


BLOCKER_CHOICES = list(BLOCKERS.items())


class Procedure(TenantModel):
    """Procedure — 行政手続."""

    key = models.CharField("事務番号", max_length=50)
    name = models.CharField("手続名", max_length=300)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="procedures", verbose_name="所管部局",
        help_text="割当件数の単位（豊島区では部）",
    )
    section = models.CharField("担当課", max_length=100, blank=True)
    legal_basis = models.CharField("根拠法令", max_length=300, blank=True)
    yearly_volume = models.PositiveIntegerField("年間件数", default=0)
    online = models.BooleanField("オンライン化済", default=False)
    channel = models.CharField("オンライン化の手段", max_length=20, choices=Channel.choices, blank=True)
    blockers = models.JSONField(
        "阻害要因", default=list, blank=True, help_text="、".join(f"{k}（{v}）" for k, v in BLOCKERS.items())
    )
    target_year = models.PositiveSmallIntegerField("オンライン化目標年度", null=True, blank=True)
    note = models.TextField("備考", blank=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "行政手続"
        ordering = ["municipality", "department__name", "key"]
        constraints = [models.UniqueConstraint(fields=["municipality", "key"], name="procedure_unique_key")]
        indexes = [models.Index(fields=["municipality", "online"])]

    def __str__(self) -> str:
        return f"{self.key} {self.name}"

    def blocker_labels(self) -> list[str]:
        return [BLOCKERS.get(b, b) for b in self.blockers or []]

    @property
    def eligible(self) -> bool:
        return not self.online and not self.blockers


class TargetSelection(TenantModel):
    """TargetSelection — オンライン化対象事務の選定 (target total, N, what was already online)."""

    name = models.CharField("名称", max_length=200)
    fiscal_year = models.PositiveSmallIntegerField("目標年度")
    n = models.PositiveIntegerField("選定件数")
    target_total = models.PositiveIntegerField("オンライン化目標総数", null=True, blank=True)
    already_online = models.PositiveIntegerField("選定時のオンライン化済件数", default=0)
    needed_for_target = models.PositiveIntegerField("目標までに必要な件数", null=True, blank=True)
    eligible_count = models.PositiveIntegerField("対象となり得た事務", default=0)
    blocked_count = models.PositiveIntegerField("阻害要因のある未オンライン化事務", default=0)
    not_online_count = models.PositiveIntegerField("選定時の未オンライン化事務", default=0)
    shortfall = models.PositiveIntegerField("不足件数", default=0)
    notes = models.JSONField("注記", default=list, blank=True)
    peer_factor = models.DecimalField("他自治体比の警告倍率", max_digits=4, decimal_places=2, default=DEFAULT_FAR_FACTOR)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="作成者"
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "オンライン化対象の選定"
        ordering = ["municipality", "-fiscal_year", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="target_selection_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def fiscal_year_label(self) -> str:
        return fy_label(self.fiscal_year)

    @property
    def factor(self) -> Decimal:
        return Decimal(self.peer_factor)


class SelectionItem(TenantModel):
    """One chosen procedure of a selection, in ranking order (a swapped-in one takes the place it replaced)."""

    selection = models.ForeignKey(TargetSelection, on_delete=models.CASCADE, related_name="items", verbose_name="選定")
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="selection_items", verbose_name="行政手続")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="所管部局（選定時）")
    rank = models.PositiveIntegerField("順位")
    volume_at_selection = models.PositiveIntegerField("選定時の年間件数", default=0)
    swapped_in = models.BooleanField("入替えで指定", default=False)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "選定された事務"
        ordering = ["selection", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "procedure"], name="selection_item_unique_procedure"),
        ]

    def __str__(self) -> str:
        return f"{self.selection.name} #{self.rank} {self.procedure.name}"


class DepartmentQuota(TenantModel):
    """The number of procedures allotted to a department — fixed once the selection is made."""

    selection = models.ForeignKey(TargetSelection, on_delete=models.CASCADE, related_name="quotas", verbose_name="選定")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="所管部局")
    quota = models.PositiveIntegerField("割当件数")
    already_online = models.PositiveIntegerField("選定時のオンライン化済件数", default=0)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "部局別の割当件数"
        ordering = ["selection", "-quota", "department__name"]
        constraints = [models.UniqueConstraint(fields=["selection", "department"], name="department_quota_unique")]

    def __str__(self) -> str:
        return f"{self.selection.name} {self.department.name} {self.quota}件"


class SelectionSwap(TenantModel):
    """An exchange made by a department: ``out_procedure`` replaced by ``in_procedure``."""

    selection = models.ForeignKey(TargetSelection, on_delete=models.CASCADE, related_name="swaps", verbose_name="選定")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="所管部局")
    out_procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="+", verbose_name="外した事務")
    in_procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="+", verbose_name="指定した事務")
    reason = models.TextField("理由", blank=True)
    swapped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="実施者"
    )
    swapped_at = models.DateTimeField("日時", auto_now_add=True)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "対象事務の入替え"
        ordering = ["selection", "swapped_at", "id"]

    def __str__(self) -> str:
        return f"{self.department.name}: {self.out_procedure.name} → {self.in_procedure.name}"


class PeerAchievement(TenantModel):
    """What the same department achieved elsewhere: e.g. 江戸川区 区民部 36 procedures online."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="peer_achievements", verbose_name="比較する部局")
    peer = models.CharField("他自治体", max_length=100)
    online_count = models.PositiveIntegerField("オンライン化済の手続数")
    fiscal_year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    source = models.CharField("出典", max_length=300, blank=True)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "他自治体の実績"
        ordering = ["department__name", "peer"]
        constraints = [
            models.UniqueConstraint(fields=["department", "peer", "fiscal_year"], name="peer_achievement_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.peer} {self.department.name} {self.online_count}件"
