"""``shinchoku round open|status|remind|close|reopen`` — survey rounds (照会) from the command line.

    shinchoku round open --plan 1 --fy 2024 --deadline 2024-06-30
    shinchoku round status 3 --json
    shinchoku round remind 3 --dry-run
    shinchoku round close 3
    shinchoku round reopen 3 --reason "戸籍住民課の修正"

Commands act as the operator at the server (planning rights in every municipality); the change log
records them under the command's name.
"""

from __future__ import annotations

from django.core.management.base import CommandError

from shinchoku.core.commandline import ShinchokuCommand, date_arg
from shinchoku.plans.models import Plan
from shinchoku.rounds import actions, queries
from shinchoku.rounds.models import STATE_LABELS, STATE_ORDER, Round


class Command(ShinchokuCommand):
    help = "照会（進捗状況調査）を開始・集計・督促・締切します。"
    command_name = "round"

    def declare(self, sub):
        p = self.subcommand("open", "照会を開始する", fy="required", json=True)
        p.add_argument("--plan", required=True, type=int, help="計画ID")
        p.add_argument("--deadline", required=True, type=date_arg, help="提出期限（YYYY-MM-DD）")
        p.add_argument("--title", default="", help="名称（任意）")
        p = self.subcommand("status", "所管課ごとの回答状況（ダッシュボードの数）", json=True)
        p.add_argument("round", type=int, help="照会ID")
        p = self.subcommand("remind", "未提出の所管課に督促メールを送る", json=True, dry_run="送らずに、送る相手だけを表示する")
        p.add_argument("round", type=int)
        p = self.subcommand("close", "照会を締め切り、承認済の回答を公式の進捗にする", json=True)
        p.add_argument("round", type=int)
        p = self.subcommand("reopen", "締め切った照会を再開する")
        p.add_argument("round", type=int)
        p.add_argument("--reason", default="")

    def _round(self, pk: int) -> Round:
        round = Round.objects.select_related("plan__status_scale", "municipality").filter(pk=pk).first()
        if round is None:
            raise CommandError(f"照会ID {pk} はありません。")
        return round

    def do_open(self, *, plan, fy, deadline, title, json, **_):
        plan_obj = Plan.objects.select_related("municipality").filter(pk=plan).first()
        if plan_obj is None:
            raise CommandError(f"計画ID {plan} はありません。")
        round = actions.open_round(self.access(plan_obj.municipality), plan_obj, fy, deadline, title=title)
        if json:
            self.out({"id": round.pk, "plan_id": plan_obj.pk, "fiscal_year": fy, "deadline": deadline.isoformat(), "state": round.state})
        else:
            self.stdout.write(f"照会ID {round.pk}: {plan_obj.name} {round.fiscal_year_label} を開始しました（提出期限 {deadline:%Y-%m-%d}）。")

    def do_status(self, *, round, json, **_):
        r = self._round(round)
        dash = queries.dashboard(r)
        if json:
            self.out(dash.as_dict())
            return
        self.stdout.write(f"{r.display_title}（照会ID {r.pk}、{r.plan.name}、{r.get_state_display()}、期限 {r.deadline:%Y-%m-%d}）")
        header = ["所管課", "対象"] + [STATE_LABELS[s] for s in STATE_ORDER]
        self.stdout.write("\t".join(header))
        for row in dash.rows:
            self.stdout.write("\t".join([row.department.name, str(row.answers.total)] + [str(row.answers.counts[s]) for s in STATE_ORDER]))
        self.stdout.write("\t".join(["合計", str(dash.answers.total)] + [f"{dash.answers.counts[s]}（{dash.answers.percent(s)}%）" for s in STATE_ORDER]))
        self.stdout.write(f"回答済の所管課: {dash.departments_answered} / {len(dash.rows)}")

    def do_remind(self, *, round, dry_run, json, **_):
        r = self._round(round)
        reminders = actions.remind(self.access(r.municipality), r, dry_run=dry_run)
        if json:
            self.out({"dry_run": dry_run, "reminders": [
                {"department": x.department, "recipients": x.recipients, "pending": x.pending} for x in reminders
            ]})
            return
        if not reminders:
            self.stdout.write("未提出の所管課はありません。")
            return
        verb = "送信予定（試行・送っていません）" if dry_run else "送信しました"
        for x in reminders:
            to = "、".join(x.recipients) if x.recipients else "宛先なし（送れません）"
            self.stdout.write(f"{x.department}: 未提出 {x.pending_total}件 → {to}")
        mailed = sum(1 for x in reminders if x.recipients)
        self.stdout.write(f"{mailed}課に{verb}。")

    def do_close(self, *, round, json, **_):
        r = self._round(round)
        summary = actions.close_round(self.access(r.municipality), r)
        if json:
            self.out(summary)
            return
        self.stdout.write(
            f"照会ID {r.pk} を締め切りました。公式の進捗に反映: 回答 {summary['answers_copied']}件、指標実績 {summary['actuals_copied']}件"
            f"（未承認で反映しなかった回答 {summary['answers_not_approved']}件）。"
        )

    def do_reopen(self, *, round, reason, **_):
        r = self._round(round)
        actions.reopen_round(self.access(r.municipality), r, reason=reason)
        self.stdout.write(f"照会ID {r.pk} を再開しました。")
