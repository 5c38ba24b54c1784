from django.core.management.base import BaseCommand

from shinchoku.demo.loader import load_all


class Command(BaseCommand):
    help = "公表資料（seeds）をデモデータとして取り込み、デモ用の利用者を作成します（何度実行しても同じ結果）"

    def handle(self, *args, **options):
        load_all(self.stdout)
