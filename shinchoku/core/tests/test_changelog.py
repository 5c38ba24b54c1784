import pytest
from django.contrib.auth import get_user_model

from shinchoku.core.changelog import acting_as, history_for
from shinchoku.core.models import ChangeLog, Department, Municipality
from shinchoku.core.access import Access
from shinchoku.core.actions import StaleError
from shinchoku.plans.actions import save_progress

pytestmark = pytest.mark.django_db


def test_create_update_delete_are_logged_with_user_and_before_after():
    user = get_user_model().objects.create_user("logger", password="x" * 12)
    with acting_as(user):
        town = Municipality.objects.create(code="999998", name="試験町")
        dep = Department.objects.create(municipality=town, name="試験課")
        dep.name = "試験推進課"
        dep.save()
        dep_id = dep.pk
        dep.delete()
    rows = list(ChangeLog.objects.filter(model="core.Department", object_id=str(dep_id)).order_by("id"))
    assert [r.action for r in rows] == ["create", "update", "delete"]
    assert all(r.user == user and r.actor == "logger" for r in rows)
    assert rows[1].before["name"] == "試験課" and rows[1].after["name"] == "試験推進課"
    assert rows[1].changed_fields() == [("name", "試験課", "試験推進課")]
    assert rows[2].after is None and rows[2].before["name"] == "試験推進課"


def test_saving_an_unchanged_row_logs_nothing():
    town = Municipality.objects.create(code="999997", name="無変更町")
    before = ChangeLog.objects.count()
    town.save()
    assert ChangeLog.objects.count() == before


def test_progress_save_is_versioned_and_logged(nakano_plan):
    node = nakano_plan.nodes.get(code="1-1-①-1")
    entry = node.entries.get(fiscal_year=2023)
    version = entry.version
    user = get_user_model().objects.get(username="koseki")
    with acting_as(user):
        saved = save_progress(Access.for_user(user), node, 2023, expected_version=version, result="夜間・日曜開庁を継続した。")
    assert saved.version == version + 1
    last = history_for(saved).first()
    assert last.user == user and last.after["result"] == "夜間・日曜開庁を継続した。"
    with pytest.raises(StaleError) as err:
        save_progress(Access.for_user(user), node, 2023, expected_version=version, result="古い版からの上書き")
    assert "他の人が更新" in str(err.value)
    assert node.entries.get(fiscal_year=2023).result == "夜間・日曜開庁を継続した。"


def test_deleting_a_municipality_keeps_its_change_log():
    town = Municipality.objects.create(code="999996", name="削除町")
    Department.objects.create(municipality=town, name="削除課")
    town_id = town.pk
    town.delete()
    rows = ChangeLog.objects.filter(municipality_id=town_id)
    assert rows.filter(action="delete", model="core.Department").exists()
    assert rows.filter(action="delete", model="core.Municipality").exists()
