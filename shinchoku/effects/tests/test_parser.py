"""The effects file's parser is plain Python: no Django, every problem located, and the texts it
writes on export read back to the same values (property-based)."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shinchoku.effects.importers.effects import (
    EffectsFile,
    format_breakdown,
    format_multipliers,
    parse_breakdown,
    parse_multipliers,
    read_rows,
)
from shinchoku.effects.inputs import KIND_LABELS, InputError, published_figure
from shinchoku.indicators.values import parse_value

PLAIN_MODULES = ["shinchoku.effects.importers.effects", "shinchoku.effects.inputs", "shinchoku.effects.calc",
                 "shinchoku.evaluations.importers.arakawa", "shinchoku.evaluations.checks"]


@pytest.mark.parametrize("module", PLAIN_MODULES)
def test_parsers_and_calculations_load_without_django(module):
    code = f"import sys, {module}; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_kind_labels_are_the_models():
    from shinchoku.effects.models import Effect

    assert KIND_LABELS == dict(Effect.Kind.choices)


labels = st.text(alphabet="あいうえおカキクケコ業務入力 ", min_size=1, max_size=12).map(str.strip).filter(bool)
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10**7), places=2).map(lambda d: d.normalize())


@given(st.lists(st.tuples(labels, amounts), min_size=1, max_size=4))
def test_a_written_breakdown_reads_back(parts):
    data = [{"label": label, "hours": format(hours, "f")} for label, hours in parts]
    assert [(p["label"], Decimal(p["hours"])) for p in parse_breakdown(format_breakdown(data))] == [
        (label, hours) for label, hours in parts]


@given(st.lists(st.tuples(amounts, st.sampled_from(["日", "ユーザー", "件", ""]), st.sampled_from(["", "月平均稼働日数"])),
                min_size=1, max_size=3))
def test_written_multipliers_read_back(factors):
    data = [{"value": format(v, "f"), "unit": unit, "label": label} for v, unit, label in factors]
    read = parse_multipliers(format_multipliers(data))
    assert [(Decimal(m["value"]), m["unit"], m["label"]) for m in read] == list(factors)


@given(st.one_of(st.text(max_size=30), st.from_regex(r"[0-9,]{1,9}(千|百万)?円(/(年|月))?", fullmatch=True)))
def test_any_published_text_is_read_as_yen_or_refused_with_a_message(text):
    try:
        amount, unit, period = published_figure("effect", text)
    except InputError as exc:
        assert f"公表値「{text.strip()}」" in str(exc)
        return
    assert unit == "円" and period in ("", "year", "month")
    if amount is not None:
        assert parse_value(text).base_unit == "円"


def test_problems_name_row_and_column_and_the_rows_are_still_read():
    out = EffectsFile("effects.csv")
    lines = read_rows([
        (1, ["団体コード", "計画", "効果の名称", "年度", "乗数", "時間単価の端数処理"]),
        (2, ["131083", "プラン", "RPA", "令和6年度", "20日", "円未満四捨五入"]),
        (3, ["13108", "プラン", "AI", "平成99年度", "二十日", "五捨六入"]),
    ], out)
    assert [line.row for line in lines] == [2, 3]
    assert lines[0].fields["multipliers"] == [{"value": "20", "unit": "日", "label": ""}]
    assert {(p.row, p.column) for p in out.problems} == {(3, "団体コード"), (3, "年度"), (3, "乗数"), (3, "時間単価の端数処理")}
