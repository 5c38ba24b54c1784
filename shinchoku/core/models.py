"""Tenants, departments, people and the change log.

Every tenant table carries ``municipality`` so that queries are always scoped and the schema can be
distributed by tenant (Citus) later.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models


class Municipality(models.Model):
    """Municipality — 地方公共団体 (tenant). ``code`` is the 6-digit 全国地方公共団体コード."""

    code = models.CharField(
        "団体コード",
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^\d{6}$", "団体コードは6桁の数字です（全国地方公共団体コード）")],
    )
    name = models.CharField("団体名", max_length=100)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "団体"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class TenantModel(models.Model):
    """Base for every row that belongs to one municipality."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, verbose_name="団体")

    class Meta:
        abstract = True


class Versioned(models.Model):
    """A row edited by several people: every save bumps ``version``; a save that carries an older
    version is refused (optimistic locking, ``core.actions.expect_version`` → HTTP 409)."""

    version = models.PositiveIntegerField("版", default=1, help_text="同時編集の検出用（保存のたびに1増える）")

    class Meta:
        abstract = True


class Department(TenantModel):
    """Department — 所管課 (部 → 課 → 係 hierarchy).

    A renamed department keeps its row; ``previous_names`` records former names with the year of the
    change, so that old documents' department cells still resolve.
    """

    class Kind(models.TextChoices):
        BUREAU = "bu", "部"
        DIVISION = "ka", "課"
        SECTION = "kakari", "係"
        OTHER = "other", "その他"

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("種別", max_length=10, choices=Kind.choices, default=Kind.DIVISION)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children", verbose_name="上位組織"
    )
    email = models.EmailField("連絡先メール", blank=True)
    previous_names = models.JSONField("旧名称", default=list, blank=True, help_text='[{"name": "…", "until_fiscal_year": 2022}]')
    active = models.BooleanField("現存", default=True)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "所管課"
        ordering = ["municipality", "name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="department_unique_name")]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """Roles of SPEC "Users and roles"."""

    PLANNING = "planning", "企画・DX推進課（計画管理者）"
    DEPARTMENT_EDITOR = "editor", "所管課担当者"
    EXECUTIVE = "executive", "幹部・推進本部"
    AUDITOR = "auditor", "監査"


class Membership(TenantModel):
    """A user's place in one municipality: role and, for editors, the departments they answer for."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    role = models.CharField("役割", max_length=20, choices=Role.choices)
    departments = models.ManyToManyField(Department, blank=True, verbose_name="担当所管課", related_name="members")

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "利用者の所属"

    def __str__(self) -> str:
        return f"{self.user} / {self.get_role_display()}"


class ChangeLog(models.Model):
    """Change log — 変更履歴: who changed what, when, with the row before and after.

    Written for every create, update and delete of a tracked model (see ``core.changelog``). Rows of
    one import or request share ``batch`` so an import of N rows reads as one event.
    """

    class Action(models.TextChoices):
        CREATE = "create", "作成"
        UPDATE = "update", "更新"
        DELETE = "delete", "削除"

    # No database constraint: the log is evidence and outlives what it describes, including the
    # municipality (its cascade delete writes log rows that still name it).
    municipality = models.ForeignKey(
        Municipality, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, verbose_name="団体"
    )
    timestamp = models.DateTimeField("日時", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="利用者"
    )
    actor = models.CharField("実行者", max_length=150, blank=True, help_text="利用者名またはコマンド名")
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    model = models.CharField("対象", max_length=100)
    object_id = models.CharField("対象ID", max_length=64)
    object_repr = models.CharField("対象の表示名", max_length=300)
    before = models.JSONField("変更前", null=True, blank=True)
    after = models.JSONField("変更後", null=True, blank=True)
    reason = models.CharField("理由", max_length=300, blank=True)
    batch = models.CharField("一括処理ID", max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "変更履歴"
        ordering = ["-timestamp", "-id"]
        indexes = [models.Index(fields=["model", "object_id"])]

    def __str__(self) -> str:
        return f"{self.timestamp:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()} {self.object_repr}"

    def changed_fields(self) -> list[tuple[str, object, object]]:
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]
