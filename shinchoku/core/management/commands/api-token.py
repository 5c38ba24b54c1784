"""``shinchoku api-token create USER [--name 用途]`` / ``list [USER]`` / ``revoke PREFIX``.

The token is printed once, at creation; only its hash is kept. Issuing and revoking are the actions
``core.create_api_token`` / ``core.revoke_api_token`` (the command acts as the system).
"""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from shinchoku.core import actions
from shinchoku.core.commandline import ShinchokuCommand
from shinchoku.core.models import ApiToken
from shinchoku.core.tokens import PREFIX_LENGTH


class Command(ShinchokuCommand):
    help = "APIトークンを発行・一覧表示・失効します"
    command_name = "api-token"

    def declare(self, sub):
        p = self.subcommand("create", "利用者のトークンを発行する（表示は1回だけ）")
        p.add_argument("username")
        p.add_argument("--name", default="", help="用途（一覧に表示）")
        p = self.subcommand("list", "トークンの一覧")
        p.add_argument("username", nargs="?")
        p = self.subcommand("revoke", "トークンを失効させる")
        p.add_argument("prefix", help=f"トークンの先頭{PREFIX_LENGTH}文字（list で表示）")

    def do_create(self, username, name, **_):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"利用者「{username}」はいません")
        _, raw = actions.create_api_token(self.access(), user, name)
        self.stdout.write(raw)
        self.stderr.write(f"{username} のトークンを発行しました。この表示は1回だけです。Authorization: Bearer {raw[:PREFIX_LENGTH]}…")

    def do_list(self, username=None, **_):
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
        if username:
            tokens = tokens.filter(user__username=username)
        for t in tokens:
            state = "失効" if t.revoked_at else "有効"
            self.stdout.write(f"{t.prefix}  {t.user.get_username():<16} {state}  {t.created_at:%Y-%m-%d %H:%M}  {t.name}")

    def do_revoke(self, prefix, **_):
        tokens = list(ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True)[:2])
        if not tokens:
            raise CommandError(f"有効なトークン {prefix} はありません")
        if len(tokens) > 1:
            raise CommandError(f"{prefix} で始まるトークンが複数あります")
        actions.revoke_api_token(self.access(), tokens[0])
        self.stdout.write(f"{prefix} を失効させました")
