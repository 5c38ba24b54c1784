"""Django admin for every model (SPEC: the planning division's fallback for any record): each model of
every shinchoku app is registered, and its list and add pages open for the administrator."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

MODELS = [m for a in apps.get_app_configs() if a.name.startswith("shinchoku") for m in a.get_models()]


def test_every_model_is_in_the_admin():
    assert [m._meta.label for m in MODELS if not admin.site.is_registered(m)] == []


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=[m._meta.label for m in MODELS])
def test_admin_pages_open(client, nakano_plan, model):
    client.force_login(get_user_model().objects.get(username="admin"))
    info = (model._meta.app_label, model._meta.model_name)
    assert client.get(reverse("admin:%s_%s_changelist" % info)).status_code == 200
    add = client.get(reverse("admin:%s_%s_add" % info))
    assert add.status_code in (200, 403)  # the change log refuses additions by design
