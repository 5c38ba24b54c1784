import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username, status", [
    ("planning", 200), ("auditor", 200), ("admin", 200), ("digital", 403), ("executive", 403),
])
def test_who_may_read_the_change_log(client, nakano_plan, username, status):
    client.force_login(get_user_model().objects.get(username=username))
    assert client.get(reverse("change_log")).status_code == status


def test_change_log_shows_an_update_with_before_and_after(client, nakano_plan):
    from shinchoku.core.changelog import acting_as
    from shinchoku.core.access import Access
    from shinchoku.plans.actions import save_progress

    user = get_user_model().objects.get(username="planning")
    node = nakano_plan.nodes.get(code="1-1-①-2")
    with acting_as(user):
        save_progress(Access.system(), node, 2023, result="コンビニ交付の広報を強化した。")
    client.force_login(get_user_model().objects.get(username="auditor"))
    html = client.get(reverse("change_log") + "?model=plans.ProgressEntry&action=update").content.decode()
    assert "コンビニ交付の広報を強化した。" in html and "planning" in html


def test_anonymous_is_sent_to_login(client):
    assert client.get(reverse("change_log")).status_code == 302


def test_only_the_operator_switches_municipality(client, nakano_plan):
    from shinchoku.core.models import Municipality
    from shinchoku.demo.synthetic import build_ward

    other = build_ward(5).municipality
    client.force_login(get_user_model().objects.get(username="planning"))
    assert client.post(reverse("switch_municipality"), {"municipality": other.pk}).status_code == 403
    client.force_login(get_user_model().objects.get(username="admin"))
    response = client.post(reverse("switch_municipality"), {"municipality": other.pk, "next": "/plans/"})
    assert response.status_code == 302 and response["Location"] == "/plans/"
    html = client.get(reverse("plans:list")).content.decode()
    assert "架空区DX推進計画" in html and "第2次中野区" not in html
    nakano = Municipality.objects.get(code="131148")
    client.post(reverse("switch_municipality"), {"municipality": nakano.pk, "next": "https://evil.example/"})
    assert "第2次中野区" in client.get(reverse("plans:list")).content.decode()
