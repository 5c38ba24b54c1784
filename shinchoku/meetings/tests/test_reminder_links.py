from django.core import mail
from django.urls import reverse


def test_reminders_sent_from_the_web_link_to_the_address_in_use(toshima, tusers, client, settings):
    settings.SHINCHOKU_BASE_URL = "https://configured.example.jp"
    client.force_login(tusers["planning"])
    response = client.post(reverse("meetings:remind"), {"within": "7"}, HTTP_HOST="127.0.0.1:8123")
    assert response.status_code == 302 and mail.outbox
    assert all("http://127.0.0.1:8123/meetings/dashboard/" in m.body for m in mail.outbox)
