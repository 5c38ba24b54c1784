"""Core records in the generated permission matrix: registering municipalities (commands and the
operator only), departments (the planning division), raw admin edits (the operator only)."""

from __future__ import annotations

import pytest

from shinchoku.core import actions
from shinchoku.core.models import Department, Municipality
from shinchoku.core.testing.matrix import PLANNING, Case, matrix_params, run_case

pytestmark = pytest.mark.django_db


def departments(world, target=None):
    return sorted(Department.objects.filter(municipality=world.municipality).values_list("name", "email"))


def _admin_edit(world):
    def save():
        world.owner.email = "admin-edit@example.invalid"
        world.owner.save()
    return save


CASES = [
    Case(
        "core.ensure_municipality", frozenset({"system"}), build=lambda w: "990035",
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
        "core.admin_save", frozenset({"system"}), build=_admin_edit, rows=departments,
        action=lambda a, w, save: actions.admin_save(a, save),
    ),
]


@pytest.mark.parametrize(("case", "role", "door"), matrix_params(CASES))
def test_matrix(world, case, role, door):
    run_case(world, case, role, door)
