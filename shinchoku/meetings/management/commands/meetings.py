"""``shinchoku meetings list|actions|remind`` — headquarters meetings and their action items."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shinchoku.core.commandline import dumps, resolve_municipality
from shinchoku.core.notify import describe
from shinchoku.core.changelog import acting_as
from shinchoku.meetings import queries, services
from shinchoku.meetings.models import Meeting


def _date(value: str | None) -> dt.date:
    if not value:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today: 日付を読めません「{value}」（例: 2024-10-15）")


class Command(BaseCommand):
    help = "推進本部などの会議と対応事項（一覧、期限超過、督促メール）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        p = sub.add_parser("list", help="会議の一覧（議題・決定・未完了の対応事項）")
        p.add_argument("--json", action="store_true")
        p = sub.add_parser("actions", help="未完了の対応事項（期限超過を先頭に）")
        p.add_argument("--overdue", action="store_true", help="期限超過のものだけ")
        p.add_argument("--json", action="store_true")
        p = sub.add_parser("remind", help="期限超過・期限間近の対応事項の担当部局に督促メールを送る")
        p.add_argument("--dry-run", action="store_true", help="送らずに宛先と件数だけを表示する")
        p.add_argument("--within", type=int, default=7, help="何日以内に期限を迎えるものを含めるか（既定: 7）")
        p.add_argument("--json", action="store_true")
        for p in sub.choices.values():
            p.add_argument("--municipality", help="団体コード（会議が登録された団体が1つなら省略可）")
            p.add_argument("--today", help="基準日（YYYY-MM-DD、既定: 今日）")

    def handle(self, *args, action: str, **options):
        municipality = resolve_municipality(options.get("municipality"), Meeting, "会議")
        today = _date(options.get("today"))
        getattr(self, f"_{action}")(municipality, today, options)

    def _list(self, municipality, today, options):
        meetings = list(queries.meetings_with_counts(municipality, today).select_related("secretariat"))
        if options["json"]:
            payload = []
            for m in meetings:
                page = queries.meeting_page(m, today)
                payload.append({
                    "id": m.pk, "title": str(m), "body": m.body, "fiscal_year": m.fiscal_year, "number": m.number,
                    "date": m.date, "start_time": m.start_time, "end_time": m.end_time, "place": m.place,
                    "secretariat": m.secretariat.name if m.secretariat else None,
                    "meeting_publication": m.get_meeting_publication_display(),
                    "meeting_publication_reason": m.meeting_publication_reason,
                    "minutes_publication": m.get_minutes_publication_display(),
                    "minutes_publication_reason": m.minutes_publication_reason,
                    "attendees": [str(a) for a in page.members + page.secretariat],
                    "agenda": [
                        {"kind": a.get_kind_display(), "number": a.number, "title": a.title, "decision": a.decision,
                         "decision_text": a.decision_text}
                        for a in page.proposals + page.reports
                    ],
                    "open_action_items": [r.as_dict() for r in page.open_items],
                    "done_action_items": [r.as_dict() for r in page.done_items],
                    "overdue": m.overdue_count,
                })
            self.stdout.write(dumps({"municipality": municipality.name, "today": today, "meetings": payload}))
            return
        for m in meetings:
            self.stdout.write(
                f"{m.date:%Y-%m-%d} {m}  議題 {m.agenda_count}件・未完了の対応事項 {m.open_count}件（期限超過 {m.overdue_count}件）"
            )
            for a in queries.meeting_page(m, today).proposals:
                self.stdout.write(f"    {a.label} {a.title} → {a.decision or '—'}")

    def _actions(self, municipality, today, options):
        board = queries.dashboard(municipality, today)
        rows = board.overdue if options["overdue"] else board.open_items
        if options["json"]:
            self.stdout.write(dumps({"today": today, "open": len(board.open_items), "overdue": len(board.overdue),
                                     "items": [r.as_dict() for r in rows]}))
            return
        self.stdout.write(f"基準日 {today}: 未完了 {len(board.open_items)}件、うち期限超過 {len(board.overdue)}件")
        for r in rows:
            due = r.item.due_date.isoformat() if r.item.due_date else "期限なし"
            flag = f"［期限超過 {r.days_overdue}日］" if r.overdue else ""
            self.stdout.write(f"  {due} {r.item.owner.name} {r.item.title}（{r.item.get_state_display()}）{flag}")

    def _remind(self, municipality, today, options):
        dry_run = options["dry_run"]
        with acting_as(None, name="shinchoku meetings remind"):
            reminders = services.send_action_item_reminders(
                None, municipality, today=today, within_days=options["within"], dry_run=dry_run
            )
        if options["json"]:
            self.stdout.write(dumps({"dry_run": dry_run, "today": today, "reminders": [r.as_dict() for r in reminders]}))
            return
        if not reminders:
            self.stdout.write("督促が必要な対応事項はありません")
            return
        self.stdout.write(("【試行】送信はしていません。" if dry_run else "") + f"督促先 {len(reminders)}部局:")
        for line in describe(reminders, dry_run=dry_run):
            self.stdout.write("  " + line)
