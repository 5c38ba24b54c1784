"""Effects in the generated permission matrix (``core/testing/matrix.py``): saving an effect line
(action), importing effects (action, importer, command) and computing them (action, command) —
every role × every door."""

from __future__ import annotations

import io
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from shinchoku.core.testing.matrix import PLANNING, Case, matrix_params, run_case
from shinchoku.effects import actions, queries
from shinchoku.effects.importers.effects import EffectLine
from shinchoku.effects.importers.effects_import import EffectsImporter
from shinchoku.effects.models import Effect

pytestmark = pytest.mark.django_db

MEMBERS = frozenset({"planning", "editor_owner", "editor_bureau", "editor_other", "executive", "auditor", "system"})
FILES = Path(tempfile.mkdtemp(prefix="matrix-effects-"))


def effect_file(world) -> Path:
    """An effects file of one line for the world's activity 1-1 (RPA: 120 hours a month × 2,500円)."""
    path = FILES / f"effects-{world.municipality.code}.csv"
    path.write_text(
        "団体コード,計画,計画項目コード,効果の名称,年度,公表値,削減時間,期間,時間単価,所管課\n"
        f'{world.municipality.code},{world.plan.name},1-1,RPAによる入力作業,令和6年度,"3,600千円/年",120,月,2500,情報政策課\n',
        encoding="utf-8",
    )
    return path


def line(world) -> EffectLine:
    return EffectLine(2, world.municipality.code, world.plan.name, "1-1", "情報政策課", "", {
        "name": "RPAによる入力作業", "fiscal_year": 2024, "kind": "effect", "raw_value": "3,600千円/年",
        "hours_saved": Decimal(120), "period_unit": "month", "hourly_rate": Decimal(2500),
    })


def effects(world, target=None):
    return sorted(Effect.objects.filter(plan=world.plan).values_list("node_id", "fiscal_year", "kind", "raw_value", "amount"))


CASES = [
    Case(
        "effects.save_effect", PLANNING, build=lambda w: None, rows=effects,
        action=lambda a, w, t: actions.save_effect(a, w.plan, 2024, "saving", node=w.activity2, raw_value="182百万円"),
    ),
    Case(
        "effects.import_effects", PLANNING, build=effect_file, rows=effects,
        action=lambda a, w, path: actions.import_effects(a, [line(w)], file=path.name),
        importer=lambda a, w, path: EffectsImporter().run(str(path), access=a, dry_run=False, options={}),
        command=lambda w, path: call_command("import", "effects", str(path), stdout=io.StringIO()),
    ),
    Case(
        "effects.effect_report (computations, read)", MEMBERS, writes=False, build=lambda w: None, rows=effects,
        action=lambda a, w, t: queries.effect_report(a, w.municipality),
        command=lambda w, t: call_command("effect", "compute", "--municipality", w.municipality.code, stdout=io.StringIO()),
    ),
]


@pytest.mark.parametrize(("case", "role", "door"), matrix_params(CASES))
def test_matrix(world, case, role, door):
    run_case(world, case, role, door)


def test_an_imported_effect_computes_as_published(world):
    """The allowed import writes what the file says, and the computation reproduces its figure."""
    from shinchoku.core.access import Access

    EffectsImporter().run(str(effect_file(world)), access=Access.system(), dry_run=False, options={})
    effect = Effect.objects.get(plan=world.plan)
    assert (effect.node, effect.amount, effect.unit, effect.period, effect.department) == (
        world.activity, Decimal(3600000), "円", "year", world.owner)
    [computed] = queries.effect_report(Access.for_user(world.users["auditor"]), world.municipality)["effects"]
    assert computed["thousand_yen_per_year"] == "3600" and computed["reproduces_published"] is True
