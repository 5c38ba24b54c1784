from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shinchoku.core.backup import create_backup
from shinchoku.core.backup_archive import BackupError


class Command(BaseCommand):
    help = (
        "データベース（SQLite はオンラインバックアップ、PostgreSQL は pg_dump）とアップロードされたファイルを、"
        "マニフェスト付きの1つのファイル（tar.gz）に保存します。サーバーを止めずに実行できます"
    )

    def add_arguments(self, parser):
        parser.add_argument("output", help="保存するファイル（例: shinchoku-20250401.tar.gz）")

    def handle(self, *args, **options):
        try:
            summary = create_backup(Path(options["output"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"バックアップを保存しました: {summary.output}（{summary.size:,}バイト。{summary.tables}表 {summary.rows:,}行、"
            f"アップロードされたファイル {summary.media_files}件。データベース: {summary.engine}）"
        )
