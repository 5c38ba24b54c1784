"""Core records in the generated permission matrix: registering municipalities (commands and the
operator only), departments (the planning division), raw admin edits (the operator only), and API
tokens (APIトークン: issued and revoked by the operator's command ``shinchoku api-token`` or the admin
— no role of a municipality may, through the action or the command door)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from shinchoku.core import actions
from shinchoku.core.access import Access
from shinchoku.core.models import ApiToken, Department, Municipality
from shinchoku.core.rules import Refused
from shinchoku.core.testing.matrix import PLANNING, Case, matrix_params, run_case

pytestmark = pytest.mark.django_db
SYSTEM = Access.system(name="matrix setup")
OPERATOR = frozenset({"system"})


def departments(world, target=None):
    return sorted(Department.objects.filter(municipality=world.municipality).values_list("name", "email"))


def _admin_edit(world):
    def save():
        world.owner.email = "admin-edit@example.invalid"
        world.owner.save()
    return save


def tokens_of(world, user):
    return sorted(ApiToken.objects.filter(user=user).values_list("prefix", "name", "revoked_at"))


def issued(world):
    token, _ = actions.create_api_token(SYSTEM, world.users["editor_owner"], name="連携")
    return token


CASES = [
    Case(
        "core.ensure_municipality", OPERATOR, build=lambda w: "990035",
        rows=lambda w, code: sorted(Municipality.objects.values_list("code", flat=True)),
        action=lambda a, w, code: actions.ensure_municipality(a, code, "新設町"),
    ),
    Case(
        "core.ensure_department", PLANNING, build=lambda w: "防災課", rows=departments,
        action=lambda a, w, name: actions.ensure_department(a, w.municipality, name),
    ),
    Case(
        "core.update_department", PLANNING, build=lambda w: w.owner, rows=departments,
        action=lambda a, w, d: actions.update_department(a, d, email="joho-new@example.invalid"),
    ),
    Case(
        "core.admin_save", OPERATOR, build=_admin_edit, rows=departments,
        action=lambda a, w, save: actions.admin_save(a, save),
    ),
    Case(
        "core.create_api_token", OPERATOR, build=lambda w: w.users["editor_owner"], rows=tokens_of,
        action=lambda a, w, user: actions.create_api_token(a, user, name="BI連携"),
        command=lambda w, user: call_command("api-token", "create", user.username, "--name", "BI連携",
                                             stdout=StringIO(), stderr=StringIO()),
    ),
    Case(
        "core.revoke_api_token", OPERATOR, build=issued, rows=lambda w, token: tokens_of(w, token.user),
        action=lambda a, w, token: actions.revoke_api_token(a, token),
        command=lambda w, token: call_command("api-token", "revoke", token.prefix, stdout=StringIO()),
    ),
]


@pytest.mark.parametrize(("case", "role", "door"), matrix_params(CASES))
def test_matrix(world, case, role, door):
    run_case(world, case, role, door)


def test_a_refused_token_issue_says_who_may(world):
    with pytest.raises(Refused) as refused:
        actions.create_api_token(world.access("planning"), world.users["editor_owner"])
    assert "APIトークンの発行・失効はシステム管理者のみが行えます" in str(refused.value)
    assert not ApiToken.objects.filter(user=world.users["editor_owner"]).exists()
