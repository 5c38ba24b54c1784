"""``shinchoku api-token create USER [--name 用途]`` / ``list [USER]`` / ``revoke PREFIX``.

The token is printed once, at creation; only its hash is kept.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from shinchoku.core.changelog import acting_as
from shinchoku.reports.models import ApiToken
from shinchoku.reports.tokens import create_token, revoke


class Command(BaseCommand):
    help = "APIトークンを発行・一覧表示・失効します"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        p = sub.add_parser("create", help="利用者のトークンを発行する（表示は1回だけ）")
        p.add_argument("username")
        p.add_argument("--name", default="", help="用途（一覧に表示）")
        p = sub.add_parser("list", help="トークンの一覧")
        p.add_argument("username", nargs="?")
        p = sub.add_parser("revoke", help="トークンを失効させる")
        p.add_argument("prefix", help="トークンの先頭12文字（list で表示）")

    def handle(self, *args, action, **options):
        with acting_as(None, name=f"shinchoku api-token {action}"):
            getattr(self, f"_{action}")(**options)

    def _create(self, username, name, **_):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"利用者「{username}」はいません")
        if not user.is_active:
            raise CommandError(f"利用者「{username}」は無効です")
        _, raw = create_token(user, name)
        self.stdout.write(raw)
        self.stderr.write(f"{username} のトークンを発行しました。この表示は1回だけです。Authorization: Bearer {raw[:12]}…")

    def _list(self, username=None, **_):
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
        if username:
            tokens = tokens.filter(user__username=username)
        for t in tokens:
            state = "失効" if t.revoked_at else "有効"
            self.stdout.write(f"{t.prefix}  {t.user.get_username():<16} {state}  {t.created_at:%Y-%m-%d %H:%M}  {t.name}")

    def _revoke(self, prefix, **_):
        tokens = list(ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True))
        if not tokens:
            raise CommandError(f"有効なトークン {prefix} はありません")
        if len(tokens) > 1:
            raise CommandError(f"{prefix} で始まるトークンが複数あります")
        revoke(tokens[0])
        self.stdout.write(f"{prefix} を失効させました")
