from django.core import mail
from django.urls import reverse


def test_reminders_sent_from_the_web_link_to_the_address_in_use(users, koto_municipality, client, settings):
    settings.SHINCHOKU_BASE_URL = "https://configured.example.jp"
    client.force_login(users["planning"])
    response = client.post(reverse("audits:remind"), HTTP_HOST="127.0.0.1:8123")
    assert response.status_code == 302 and len(mail.outbox) == 2
    assert all("http://127.0.0.1:8123/audits/" in m.body for m in mail.outbox)
