import pytest
from django.urls import reverse

from shinchoku.procedures.models import Procedure

from .test_drive import pusers, toshima  # noqa: F401 - fixtures


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example"])
def test_marking_online_never_redirects_off_site(toshima, pusers, client, target):  # noqa: F811
    p = Procedure.objects.filter(municipality=toshima, department__name="区民部", online=False).first()
    client.force_login(pusers["kumin"])
    response = client.post(reverse("procedures:online", args=[p.pk]), {"online": "1", "channel": "pittari", "next": target})
    assert response.status_code == 302 and response["Location"] == reverse("procedures:inventory")
    p.refresh_from_db()
    assert p.online
