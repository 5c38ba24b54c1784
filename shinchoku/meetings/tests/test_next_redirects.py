import pytest
from django.urls import reverse

from shinchoku.meetings.models import ActionItem


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example"])
def test_action_update_never_redirects_off_site(toshima, tusers, client, target):
    forms = ActionItem.objects.get(meeting=toshima, key="forms")  # 情報管理課's
    client.force_login(tusers["joho"])
    response = client.post(reverse("meetings:action-update", args=[forms.pk]),
                           {"state": ActionItem.State.IN_PROGRESS, "progress_note": "作業中", "next": target})
    assert response.status_code == 302 and response["Location"] == reverse("meetings:detail", args=[toshima.pk])
    forms.refresh_from_db()
    assert forms.state == ActionItem.State.IN_PROGRESS
