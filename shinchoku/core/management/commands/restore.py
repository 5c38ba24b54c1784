from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shinchoku.core.backup import restore_backup
from shinchoku.core.backup_archive import BackupError


class Command(BaseCommand):
    help = (
        "shinchoku backup で作ったファイルから、データベースとアップロードされたファイルを復元します。"
        "ファイルを確かめてから置き換え、問題があれば何も変更しません。データのあるデータベースを置き換えるには --yes が必要です。"
        "復元の間はサーバーを止めてください"
    )

    def add_arguments(self, parser):
        parser.add_argument("input", help="shinchoku backup で作ったファイル")
        parser.add_argument("--yes", action="store_true", help="データのあるデータベースをバックアップの内容で置き換える")

    def handle(self, *args, **options):
        try:
            summary = restore_backup(Path(options["input"]), replace=options["yes"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"復元しました: {summary.created_at} のバックアップ（{summary.tables}表 {summary.rows:,}行、"
            f"アップロードされたファイル {summary.media_files}件。データベース: {summary.engine}）"
        )
        if summary.media_kept_at:
            self.stdout.write(f"それまでのアップロードフォルダーは {summary.media_kept_at} に残しました（不要なら削除してください）")
