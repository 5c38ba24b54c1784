"""The API token model moves from the reports app to core, with its rows.

The table was created by ``reports.0001_initial`` as ``reports_apitoken``. Here core takes over the
model's state without touching the database, then renames the table to core's name (an
``ALTER TABLE … RENAME``: the rows, the index and the unique constraint stay). ``reports.0002`` drops
the model from the reports app's state, again without touching the database.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_changelog_outlives_municipality"),
        ("reports", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ApiToken",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(blank=True, help_text="例: 庁内BI連携", max_length=100, verbose_name="用途")),
                        ("prefix", models.CharField(db_index=True, max_length=16, verbose_name="先頭の文字")),
                        ("key_hash", models.CharField(max_length=64, unique=True, verbose_name="ハッシュ")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="作成日時")),
                        ("expires_at", models.DateTimeField(blank=True, null=True, verbose_name="有効期限")),
                        ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="失効日時")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="api_tokens", to=settings.AUTH_USER_MODEL, verbose_name="利用者")),
                    ],
                    options={
                        "verbose_name": "APIトークン",
                        "verbose_name_plural": "APIトークン",
                        "ordering": ["user", "-created_at"],
                        "db_table": "reports_apitoken",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="apitoken", table=None),
    ]
