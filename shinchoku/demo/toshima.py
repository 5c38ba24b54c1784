"""Demo data: Toshima's DX headquarters meeting of 25 March 2024 (seed 004, 会議録).

令和5年度第2回豊島区行政情報化推進本部 — entered by hand from the minutes (there is no importer for
minutes: each ward's 会議録 is free prose). Idempotent: keyed by natural keys (団体コード, 会議体, 年度,
回; 議題の種別と番号; 対応事項の識別子); a second run changes nothing, and it never resets the state or
progress a user has recorded on an action item.

The action items are the commitments the minutes record for 議案（１） 令和6年度来庁不要区役所:

- ``forms``: new application forms on 東京共同電子申請 / ぴったりサービス built by the end of September
  2024 (「９月末までに新規申請フォームを作成」);
- ``public``: the services public from October 2024 (「１０月からサービス公開」) — due 1 October 2024;
- ``interim``: an interim progress report before October (「10 月より前に中間報告をして頂きたい」) —
  due 30 September 2024;
- ``notify``: the list of the 180 procedures sent to every department by e-mail, gathered per 部 by
  the 庶務担当課長 (no date in the minutes);
- ``originals``: 子育て支援課 to ask Tokyo whether copies may replace the originals required for child
  benefit procedures (no date);
- ``quota``: adjusting the load between departments (区民部's 47) without lowering the total (no date).

Owners: the minutes give the progress management to the デジタルガバメント検討PT, run by the
secretariat 情報管理課, so the drive's items are 情報管理課's; the originals question is
子育て支援課's. The peer figure quoted for 区民部 (Edogawa: 36 procedures online) is recorded for
the quota warning.
"""

from __future__ import annotations

import datetime as dt

from shinchoku.core.importing import ImportResult
from shinchoku.core.models import Department, Municipality, Role
from shinchoku.core.upsert import UpsertTally
from shinchoku.demo import TOSHIMA_MEETING
from shinchoku.meetings.models import ActionItem, AgendaItem, Attendee, Meeting, Publication
from shinchoku.procedures.models import PeerAchievement

TOSHIMA_CODE = "131164"
TOSHIMA_NAME = "豊島区"

# 部 → 課 named in the minutes.
DEPARTMENTS: dict[str, list[str]] = {
    "政策経営部": ["企画課", "行政経営課", "情報管理課"],
    "総務部": [],
    "区民部": [],
    "保健福祉部": [],
    "子ども家庭部": ["子育て支援課"],
}

MEMBERS = [  # (title, role, proxy)
    ("副区長", "本部長", False),
    ("政策経営部長", "副本部長", False),
    ("総務部長", "", False),
    ("区民部長", "", False),
    ("保健福祉部長", "", False),
    ("子ども家庭部長", "", True),
    ("企画課長", "", False),
    ("行政経営課長", "", False),
    ("情報管理課長", "", False),
]
SECRETARIAT = [
    "行政経営課 行政経営担当係長",
    "情報管理課 情報担当係長（管理）",
    "情報管理課 情報担当係長（システム第一）",
    "情報管理課 情報担当係長（システム第二）",
    "情報管理課 情報担当係長（デジタル化推進）",
    "情報管理課 情報担当係長（情報システム標準化）",
]

MATERIALS = [
    ("資料１－１", "令和６年度来庁不要区役所の取り組みについて"),
    ("資料１－２", "「行政手続の件数調査」集約結果"),
    ("資料２－１", "情報セキュリティ監査結果報告と次年度計画"),
    ("資料２－２", "(参考)令和5年度情報セキュリティ監査結果報告"),
    ("資料２－３", "(参考)情報セキュリティ監査計画書（案）"),
    ("資料３－１", "基幹系業務システムの標準化の進捗と課題"),
    ("資料３－２", "標準化の進捗について"),
    ("資料４", "豊島区DX推進計画の各施策の取り組み状況"),
    ("資料５－１", "公共施設のあり方検討PTについて"),
    ("資料５－２", "(参考)新旧比較書(UI,インボイス・クレジット)"),
    ("資料５－３", "公共施設のあり方検討PTについて"),
    ("資料６", "システム更改の今後の見込みについて"),
    ("資料７－１", "令和6年度ICT研修実施計画について"),
    ("資料７－２", "(参考)ICT研修実施計画（令和6年度）"),
]

AGENDA = [
    {
        "kind": AgendaItem.Kind.PROPOSAL, "number": 1, "title": "令和6年度来庁不要区役所の取り組みについて",
        "presenter": "部員",
        "summary": (
            "区長は第一回定例会にて「来庁不要区役所」を強力に推進すると表明しており、令和６年度はこれを実現することが"
            "行政情報化推進本部の大きなテーマのひとつである。令和６年度中に「行政手続３００事務」のオンライン化を達成する"
            "ことを目標とする。現状見込みも含め１２２の事務が今年度末までにオンライン化済みとなるため、残り１８０の事務の"
            "オンライン化が必要である。２月の全庁事前調査にてオンライン化未実施である４７８事務を対象とし、法令や金銭支払い"
            "等によりオンライン化が困難なものを除き利用数の多い上位１８０事務を抽出し、オンライン化対象として指定した。"
            "部局ごとに取りまとめて進める。指定事務の変更は可能だが、部に割り振られた件数は変更不可。"
            "『東京共同電子申請サービス』『ぴったりサービス』を利用し、９月末までに新規申請フォームを作成、１０月から"
            "サービス公開というスケジュール。進捗は「デジタルガバメント検討PT」にて管理する。"
        ),
        "discussion": (
            "HPリニューアルの影響はない（電子申請の一覧から各フォームにリンク）。電子申請の作成に制限はない（江戸川区は約1100以上）。"
            "豊島区のオンライン化は23区中10番目、現状122手続。今回は利用件数の多い手続を情報管理課から指定。"
            "目標件数47件の区民部は、江戸川区でも区民部のオンライン済みは36事務、豊島区は現状20事務程度で計67件となり厳しい"
            "（負担が偏らないよう、件数が減らないよう協議しながら調整）。10月より前に中間報告を求める意見。"
            "児童給付の原本提出必須の添付書類は、写しで可か都に確認が必要。"
        ),
        "decision": "承認", "decision_text": "議題について案のとおり承認",
        "materials": ["資料１－１", "資料１－２"],
    },
    {
        "kind": AgendaItem.Kind.PROPOSAL, "number": 2, "title": "令和5年度情報セキュリティ内部監査報告及び令和6年度計画について",
        "presenter": "事務局",
        "summary": (
            "豊島区情報セキュリティ基本方針および豊島区情報セキュリティ対策基準に基づき、情報セキュリティポリシーが"
            "遵守されていることを検証し、改善していくため、内部監査を実施。全体をとおして、大きな問題は検出されなかった。"
        ),
        "decision": "承認", "decision_text": "議題について案のとおり承認",
        "materials": ["資料２－１", "資料２－２", "資料２－３"],
    },
    {
        "kind": AgendaItem.Kind.REPORT, "number": 1, "title": "基幹系業務システムの標準化の進捗について", "presenter": "事務局",
        "summary": (
            "年度当初に掲げていた業務所管課での標準化システム移行予算確保を概ね達成した。課題はイニシャルコスト・"
            "ランニングコストの増大、ベンダーの開発遅延や移行作業人員の不足、既存システムの改修によるデータ連携、"
            "現行システムとの並存による職員の負担増。"
        ),
        "discussion": "質疑なし", "materials": ["資料３－１", "資料３－２"],
    },
    {
        "kind": AgendaItem.Kind.REPORT, "number": 2, "title": "豊島区DX推進計画の各施策の取り組み状況について", "presenter": "事務局",
        "summary": (
            "全体として昨年度より16増えて327課が各施策を進めている。いずれかの取り組みを「実施」した課が4割、"
            "「作業中（着手済み）」および「検討中」がそれぞれ3割前後。「実施済み」の割合が1割近く増加。"
        ),
        "discussion": "質疑なし", "materials": ["資料４"],
    },
    {
        "kind": AgendaItem.Kind.REPORT, "number": 3, "title": "公共施設のあり方検討PTについて", "presenter": "事務局",
        "summary": (
            "公共施設予約の運用の見直しと検討を実施（庁内PT・検討部会）。インボイス制度対応（令和5年10月1日運用開始）、"
            "クレジットカード対応（令和6年4月1日より開始予定）などのシステム改修も行った（70施設・162部屋）。"
        ),
        "discussion": "質疑なし", "materials": ["資料５－１", "資料５－２", "資料５－３"],
    },
    {
        "kind": AgendaItem.Kind.REPORT, "number": 4, "title": "システム更改の今後の見込みについて", "presenter": "事務局",
        "summary": (
            "システム改修は概ね5、6年周期、機器更改は6～8年程度の周期。ネットワークスイッチは300台超、無線APは250個超。"
            "証明書関係はR7まで延期可能だが、前倒しで完了を目指す。"
        ),
        "discussion": "質疑なし", "materials": ["資料６"],
    },
    {
        "kind": AgendaItem.Kind.REPORT, "number": 5, "title": "令和6年度ICT研修実施計画について", "presenter": "事務局",
        "summary": (
            "全庁的なICTリテラシーの向上と情報セキュリティの最新の脅威・情報技術の理解増進が目的。令和4年8月に改定した"
            "「豊島区情報セキュリティポリシー」に合わせ、ICT研修実施計画を初めて策定する。対象は職員および会計年度任用職員。"
        ),
        "discussion": "質疑なし", "materials": ["資料７－１", "資料７－２"],
    },
]

ACTION_ITEMS = [  # key, title, owner, due date, description (all under 議案（１）)
    ("forms", "オンライン化対象事務の新規申請フォームの作成", "情報管理課", dt.date(2024, 9, 30),
     ("『東京共同電子申請サービス』『ぴったりサービス』を利用し、指定された180事務の新規申請フォームを9月末までに作成する"
      "（部局ごとに取りまとめ、デジタルガバメント検討PTで進捗管理）。")),
    ("public", "オンライン申請サービスの公開", "情報管理課", dt.date(2024, 10, 1),
     "作成した申請フォームによるサービスを10月から公開する。"),
    ("interim", "オンライン化の進捗の中間報告", "情報管理課", dt.date(2024, 9, 30),
     "年度の途中に進捗を共有し、目途がついたら10月より前に推進本部へ中間報告を行う（年度末に「できなかった」を避ける）。"),
    ("notify", "対象事務のリストと内容の全庁周知", "情報管理課", None,
     "対象のリストと内容を全庁へメールで周知し、庶務担当課長が取りまとめ、部局ごとの単位で調整する。"),
    ("originals", "原本提出が必須の添付書類について都へ確認", "子育て支援課", None,
     "児童給付の関係で添付書類として原本提出必須の手続がある。提出物は写しでかまわないか、都に確認する。"),
    ("quota", "部局間の目標件数の調整（区民部47件ほか）", "情報管理課", None,
     "トータル180事務のオンライン化が必要。負担が偏らないように、また件数が減らないように協議しながら調整する。"),
]

TOSHIMA_USERS_SPEC = (  # username, role, departments
    ("toshima", Role.PLANNING, ()),
    ("toshima-joho", Role.DEPARTMENT_EDITOR, ("情報管理課",)),
    ("toshima-kumin", Role.DEPARTMENT_EDITOR, ("区民部",)),
    ("toshima-kodomo", Role.DEPARTMENT_EDITOR, ("子ども家庭部",)),
    ("toshima-honbu", Role.EXECUTIVE, ()),
    ("toshima-audit", Role.AUDITOR, ()),
)


def _departments(municipality: Municipality, tally: UpsertTally) -> dict[str, Department]:
    out: dict[str, Department] = {}
    for bureau, divisions in DEPARTMENTS.items():
        out[bureau] = tally.upsert(
            "所管課", Department, {"municipality": municipality, "name": bureau}, {"kind": Department.Kind.BUREAU}
        )
        for division in divisions:
            out[division] = tally.upsert(
                "所管課", Department, {"municipality": municipality, "name": division},
                {"kind": Department.Kind.DIVISION, "parent": out[bureau]},
            )
    return out


def load_toshima_meeting(*, with_users: bool = True) -> ImportResult:
    """Enter the meeting (idempotent); returns what was created / updated, like an importer."""
    from django.db import transaction

    result = ImportResult(kind="toshima-meeting", file=TOSHIMA_MEETING.name, dry_run=False)
    tally = UpsertTally()
    with transaction.atomic():
        municipality = Municipality.objects.filter(code=TOSHIMA_CODE).first()
        if municipality is None:
            municipality = Municipality.objects.create(code=TOSHIMA_CODE, name=TOSHIMA_NAME)
            tally.count("団体", "created")
        depts = _departments(municipality, tally)
        meeting = tally.upsert(
            "会議", Meeting,
            {"municipality": municipality, "body": "行政情報化推進本部", "fiscal_year": 2023, "number": 2},
            {
                "title": "令和5年度第2回豊島区行政情報化推進本部",
                "date": dt.date(2024, 3, 25), "start_time": dt.time(13, 0), "end_time": dt.time(14, 0),
                "place": "庁議室（本庁舎5階）", "secretariat": depts["情報管理課"],
                "meeting_publication": Publication.CLOSED,
                "meeting_publication_reason": "行政機関における政策意思決定過程途上に位置付けられる会議であるため",
                "minutes_publication": Publication.PARTIAL,
                "minutes_publication_reason": "行政機関における政策意思決定過程途上に位置づけられる内容を含むため",
                "materials": [{"number": n, "title": t} for n, t in MATERIALS],
                "notes": "13:55終了。事務局（担当課）: 政策経営部情報管理課",
                "source": TOSHIMA_MEETING.name,
            },
        )
        order = 0
        for title, role, proxy in MEMBERS:
            order += 1
            tally.upsert("出席者", Attendee, {"meeting": meeting, "group": Attendee.Group.MEMBER, "title": title},
                         {"municipality": municipality, "role": role, "proxy": proxy, "order": order})
        for title in SECRETARIAT:
            order += 1
            tally.upsert("出席者", Attendee, {"meeting": meeting, "group": Attendee.Group.SECRETARIAT, "title": title},
                         {"municipality": municipality, "role": "", "proxy": False, "order": order})
        agenda = {}
        for order, spec in enumerate(AGENDA, start=1):
            values = {k: v for k, v in spec.items() if k not in {"kind", "number"}}
            values.setdefault("discussion", "")
            values.setdefault("decision", "")
            values.setdefault("decision_text", "")
            agenda[(spec["kind"], spec["number"])] = tally.upsert(
                "議題", AgendaItem, {"meeting": meeting, "kind": spec["kind"], "number": spec["number"]},
                {"municipality": municipality, "order": order, **values},
            )
        proposal1 = agenda[(AgendaItem.Kind.PROPOSAL, 1)]
        for order, (key, title, owner, due, description) in enumerate(ACTION_ITEMS, start=1):
            # State and progress are left alone on an existing row: they are the departments' answers.
            tally.upsert(
                "対応事項", ActionItem, {"meeting": meeting, "key": key},
                {"municipality": municipality, "agenda_item": proposal1, "title": title, "owner": depts[owner],
                 "due_date": due, "description": description, "order": order},
            )
        tally.upsert(
            "他自治体の実績", PeerAchievement,
            {"municipality": municipality, "department": depts["区民部"], "peer": "江戸川区", "fiscal_year": 2023},
            {"online_count": 36, "source": "令和5年度第2回豊島区行政情報化推進本部 会議録（令和6年3月25日）"},
        )
    if with_users:
        from shinchoku.demo.loader import DemoUser, ensure_users

        with transaction.atomic():
            ensure_users(municipality, tuple(DemoUser(u, r, d) for u, r, d in TOSHIMA_USERS_SPEC))
    result.created, result.updated, result.unchanged = dict(tally.created), dict(tally.updated), dict(tally.unchanged)
    result.counts = {"会議ID": meeting.pk, "議題": len(AGENDA), "対応事項": len(ACTION_ITEMS)}
    return result
