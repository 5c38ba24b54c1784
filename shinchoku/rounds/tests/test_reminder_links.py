from django.urls import reverse

from .conftest import login


def test_reminders_sent_from_the_web_link_to_the_address_in_use(round24, settings, mailoutbox):
    settings.SHINCHOKU_BASE_URL = "https://configured.example.jp"
    response = login("planning").post(reverse("rounds:remind", args=[round24.pk]), HTTP_HOST="127.0.0.1:8123")
    assert response.status_code == 302 and mailoutbox
    for message in mailoutbox:
        assert f"http://127.0.0.1:8123/rounds/{round24.pk}/departments/" in message.body
        assert "configured.example.jp" not in message.body
