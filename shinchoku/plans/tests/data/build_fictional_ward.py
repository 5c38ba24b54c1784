"""Build ``fictional_ward.xlsx``: a plan workbook for a fictional ward, written cell by cell with plain
openpyxl the way a person fills the template in Excel (not with shinchoku's writer), for the tests.

    .venv/bin/python shinchoku/plans/tests/data/build_fictional_ward.py

The ward (みどり区, code 990010, fictional) has a plan with no status scale (narrative progress only),
three levels (基本方針 → 施策 → 取組), an item owned by 子ども・若者課, indicators with every target
shape of issue 10 and effects in 百万円, 千円/年 and 時間/月. It also has what real workbooks have: a
title line above a header row, English header keys on one sheet, shuffled columns, an extra column,
years written as 令和5年度 / R6 / 2024 (a number) / 令和６年度 (full-width) / 元年度, a value typed as a
number in a cell formatted as a percentage, and the instructions sheet left in place.

Grades a planner gives for 令和6年度 (FY2024) — asserted by test_workbook_fictional_ward.py:
see ``EXPECTED_GRADES``.
"""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "fictional_ward.xlsx"

PLAN = [
    ("項目", "値"),
    ("団体コード", "990010"),
    ("団体名", "みどり区（架空）"),
    ("計画名", "みどり区行政デジタル化推進計画"),
    ("計画期間開始年度", "令和5年度"),
    ("計画期間終了年度", "令和9年度"),
    ("階層名", "基本方針;施策;取組"),
    ("進捗区分", ""),
]

ITEMS = [
    # コード, 親コード, 階層, 名称, 所管課, 再掲元コード, タグ, 説明
    ("方針1", "", "基本方針", "誰一人取り残さない行政サービス", "", "", "", ""),
    ("1-1", "方針1", "施策", "行かない窓口の実現", "", "", "", ""),
    ("1-1-①", "1-1", "取組", "オンライン申請の拡充", "デジタル推進課", "", "重点", "電子申請システムで申請できる手続を増やす"),
    ("1-1-②", "1-1", "取組", "子育て手続のオンライン化", "子ども・若者課、デジタル推進課", "", "新規", ""),
    ("1-2", "方針1", "施策", "デジタルデバイド対策", "", "", "", ""),
    ("1-2-①", "1-2", "取組", "スマホ教室の開催", "地域振興課;生涯学習課", "", "", ""),
    ("1-2-②", "1-2", "取組", "", "", "1-1-②", "", ""),
    ("方針2", "", "基本方針", "職員の働き方改革", "", "", "", ""),
    ("2-1", "方針2", "施策", "業務の効率化", "", "", "", ""),
    ("2-1-①", "2-1", "取組", "RPA・AIの活用", "業務改革課", "", "重点;新規", ""),
    ("2-1-②", "2-1", "取組", "ペーパーレス会議の推進", "総務課\n業務改革課", "", "", ""),
    ("2-2", "方針2", "施策", "施設運営の見直し", "", "", "", ""),
    ("2-2-①", "2-2", "取組", "区民センターの運営改善", "施設管理課", "", "", ""),
]

PROGRESS = [
    # コード, 年度, 進捗状況, 取組結果, 次年度計画, 次年度以降計画, 計画変更理由, 備考 (extra column)
    ("1-1-①", "令和5年度", "", "子育て・介護の12手続をオンライン化した。", "20手続を追加する。", "全手続の半数をオンライン化する。", "", "前年度から継続"),
    ("1-1-①", "R6", "", "20手続を追加した。", "", "", "", ""),
    ("1-1-②", 2024, "", "児童手当の申請をオンライン化した。", "保育園の入園申請をオンライン化する。", "", "", ""),
    ("1-2-①", "令和６年度", "", "スマホ教室を24回開催した。", "", "", "会場の改修により開始が遅れた。", ""),
    ("2-1-①", "令和6年度", "", "RPAを8業務に導入した。", "", "", "", ""),
    ("2-1-②", "令和6年度", "", "", "", "", "", ""),
]

# 指標: 指標コード, 指標名, 種別, 単位, 方向, 関連項目コード, 定義, 出典, 注記
INDICATORS = [
    ("KPI-1", "電子申請の利用率", "成果指標", "%", "", "1-1-①", "電子申請件数÷申請件数", "業務統計", ""),
    ("KPI-2", "紙の使用量（令和4年度比）", "成果指標", "%", "", "2-1-②", "", "", ""),
    ("KPI-3", "窓口の平均待ち時間", "成果指標", "分", "低いほど良い", "1-1", "", "", ""),
    ("KPI-4", "スマホ教室の参加者数", "活動指標", "人", "高いほど良い", "1-2-①", "", "", ""),
    ("KPI-5", "区民センター使用料の収支差額（前年度比）", "成果指標", "千円", "", "2-2-①", "", "", ""),
    ("KPI-6", "職員1人あたりの時間外勤務", "成果指標", "時間", "", "2-1", "", "", ""),
    ("KPI-7", "情報セキュリティ事故件数", "成果指標", "件", "低いほど良い", "", "", "", ""),
    ("KPI-8", "個人情報の漏えい件数", "成果指標", "件", "低いほど良い", "", "", "", ""),
    ("KPI-9", "委託料の削減額", "成果指標", "千円", "", "2-1-①", "", "",
     "【基準量】令和6年度: 12,000千円\n※1 予算額は令和6年度当初予算の委託料"),
    ("KPI-10", "システム運用経費の削減額", "成果指標", "千円", "", "2-1-①", "", "", "※2 事業費は集計中"),
    ("KPI-11", "オンライン化した手続数", "活動指標", "手続", "高いほど良い", "1-1-①、1-1-②", "", "", ""),
    ("KPI-12", "窓口DXの実施", "成果指標", "", "定性", "1-1", "", "", ""),
    ("KPI-13", "区民満足度（デジタル化）", "成果指標", "%", "", "", "", "区民意識調査", ""),
    ("KPI-14", "窓口アンケートの満足度", "成果指標", "%", "", "1-1", "", "窓口アンケート", ""),
]

# 指標値 (columns shuffled: 区分, 指標コード, 値, 年度, 注記, 時点)
PERCENT = object()  # a number typed into a cell formatted as a percentage
VALUES = [
    ("実績", "KPI-1", "12.5%", "元年度", "", ""),
    ("実績", "KPI-1", "42.0%", "令和5年度", "", ""),
    ("実績", "KPI-1", (PERCENT, 0.523), "令和6年度", "", "令和7年3月末"),
    ("目標", "KPI-1", "50%以上", "令和6年度", "", ""),
    ("目標", "KPI-1", "80%以上", "令和9年度", "", ""),
    ("実績", "KPI-2", "93%", "令和5年度", "", ""),
    ("実績", "KPI-2", "88%", "令和6年度", "", ""),
    ("目標", "KPI-2", "85%以下", "令和6年度", "", ""),
    ("目標", "KPI-2", "70%以下", "令和9年度", "", ""),
    ("実績", "KPI-3", "22分", "令和5年度", "", ""),
    ("実績", "KPI-3", "18分", "令和6年度", "", ""),
    ("目標", "KPI-3", "15分", "令和6年度", "", ""),
    ("目標", "KPI-3", "10分", "令和9年度", "", ""),
    ("実績", "KPI-4", "210人", "令和5年度", "", ""),
    ("実績", "KPI-4", "320人", "令和6年度", "", ""),
    ("目標", "KPI-4", "300人", "令和6年度", "", ""),
    ("実績", "KPI-5", "▲300千円", "令和5年度", "", ""),
    ("実績", "KPI-5", "1,250千円", "令和6年度", "", ""),
    ("目標", "KPI-5", "収支差額 > 0", "令和5年度", "", ""),
    ("目標", "KPI-5", "収支差額 > 0", "令和6年度", "", ""),
    ("目標", "KPI-5", "収支差額 > 0", "令和9年度", "", ""),
    ("実績", "KPI-6", "年 138 時間", "令和5年度", "", ""),
    ("実績", "KPI-6", "年 126 時間", "令和6年度", "", ""),
    ("目標", "KPI-6", "年 120 時間以下", "令和6年度", "", ""),
    ("目標", "KPI-6", "年 100 時間以下", "令和9年度", "", ""),
    ("実績", "KPI-7", "1件", "令和5年度", "", ""),
    ("実績", "KPI-7", "0件", "令和6年度", "", ""),
    ("目標", "KPI-7", "0件", "令和6年度", "", ""),
    ("目標", "KPI-7", "0件", "令和9年度", "", ""),
    ("実績", "KPI-8", "1件", "令和5年度", "", ""),
    ("実績", "KPI-8", "2件", "令和6年度", "", ""),
    ("目標", "KPI-8", "0件", "令和6年度", "", ""),
    ("目標", "KPI-8", "0件", "令和9年度", "", ""),
    ("実績", "KPI-9", "1,150千円", "令和6年度", "", ""),
    ("目標", "KPI-9", "予算額の1割程度", "令和6年度", "", ""),
    ("実績", "KPI-10", "2,400千円", "令和6年度", "", ""),
    ("目標", "KPI-10", "事業費の1割程度", "令和6年度", "", ""),
    ("実績", "KPI-11", "40手続", "令和4年度", "", ""),
    ("実績", "KPI-11", "60手続", "令和5年度", "", ""),
    ("実績", "KPI-11", "85手続", "令和6年度", "", ""),
    ("目標", "KPI-11", "120手続", "令和8年度", "最終目標は令和8年度（計画期間の終了は令和9年度）", ""),
    ("実績", "KPI-12", "運用開始", "令和6年度", "", ""),
    ("目標", "KPI-12", "運用開始", "令和6年度", "", ""),
    ("実績", "KPI-13", "55%", "令和5年度", "", ""),
    ("実績", "KPI-13", "集計中", "令和6年度", "", ""),
    ("目標", "KPI-13", "60%以上", "令和6年度", "", ""),
    ("実績", "KPI-14", "おおむね良好", "令和6年度", "", ""),
    ("目標", "KPI-14", "80%以上", "令和6年度", "", ""),
]

# 効果 with English header keys
EFFECTS = [
    ("item_code", "fiscal_year", "until_fiscal_year", "kind", "value", "basis", "notes"),
    ("2-1-①", "令和5年度", "", "効果額", "182百万円", "RPA・AIによる削減時間×人件費単価", ""),
    ("2-1-②", "令和6年度", "令和9年度", "削減額", "20,000千円/年", "印刷・用紙代", ""),
    ("2-1-①", "令和6年度", "", "削減時間", "1,400時間/月", "30分×20日×140人", ""),
    ("", "令和6年度", "", "増収額", "集計中", "", "計画全体"),
]

EXPECTED_GRADES = {  # 令和6年度 (FY2024)
    "KPI-1": "達成",  # 52.3% against 50%以上 (bound word)
    "KPI-2": "遅れ",  # 88% against 85%以下, better than 93% the year before
    "KPI-3": "遅れ",  # 18分 against a bare 15分 with 低いほど良い declared, better than 22分
    "KPI-4": "達成",  # 320人 against a bare 300人 with 高いほど良い declared
    "KPI-5": "達成",  # 1,250千円 against 収支差額 > 0 (sign condition on a year-on-year change)
    "KPI-6": "遅れ",  # 年 126 時間 against 年 120 時間以下 (per period), better than 年 138 時間
    "KPI-7": "達成",  # 0件 against a zero target
    "KPI-8": "未達",  # 2件 against a zero target
    "KPI-9": "達成",  # 1,150千円 against 予算額 12,000千円 の1割程度 = 1,200千円 (±10 %)
    "KPI-10": "判定不可",  # 事業費の1割程度 with no 事業費 given
    "KPI-11": "順調",  # 85手続 vs the line 40 (R4) → 120 (R8, ≠ plan end R9): 80 in R6
    "KPI-12": "達成",  # qualitative: 運用開始 as targeted
    "KPI-13": "判定不可",  # 集計中 (stored as missing, never 0)
    "KPI-14": "判定不可",  # おおむね良好: not a number (kept as text) — never a wrong 未達
}
EXPECTED_GRADES_2023 = {"KPI-5": "未達"}  # ▲300千円 against 収支差額 > 0


def build() -> bytes:
    book = Workbook()
    notes = book.active
    notes.title = "記入方法"
    notes["A1"] = "みどり区 計画ワークブック（テスト用の架空の区）"

    ws = book.create_sheet("計画")
    for row in PLAN:
        ws.append(list(row))

    ws = book.create_sheet("項目")
    ws.append(["みどり区行政デジタル化推進計画 計画項目一覧"])  # a title line above the header
    ws.append(["コード", "親コード", "階層", "名称", "所管課", "再掲元コード", "タグ", "説明"])
    for row in ITEMS:
        ws.append(list(row))

    ws = book.create_sheet("進捗")
    ws.append(["コード", "年度", "進捗状況", "取組結果", "次年度計画", "次年度以降計画", "計画変更理由", "備考"])
    for row in PROGRESS:
        ws.append(list(row))

    ws = book.create_sheet("指標")
    ws.append(["指標コード", "指標名", "種別", "単位", "方向", "関連項目コード", "定義", "出典", "注記"])
    for row in INDICATORS:
        ws.append(list(row))

    ws = book.create_sheet("指標値")
    ws.append(["区分", "指標コード", "値", "年度", "注記", "時点"])
    for kind, code, value, year, note, as_of in VALUES:
        ws.append([kind, code, None, year, note, as_of])
        cell = ws.cell(row=ws.max_row, column=3)
        if isinstance(value, tuple):
            cell.value = value[1]
            cell.number_format = "0.0%"
        else:
            cell.value = value

    ws = book.create_sheet("効果")
    for row in EFFECTS:
        ws.append(list(row))

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


if __name__ == "__main__":
    OUTPUT.write_bytes(build())
    print(f"wrote {OUTPUT}")
