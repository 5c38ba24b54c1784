"""Who may read and change evaluation sheets (事務事業分析シート) — the reason for a refusal, or None.

=================  ==========================================================================
role               evaluation sheets
=================  ==========================================================================
planning           reads and edits every sheet of its municipality; imports sheets
department editor  reads and edits the budget/settlement figures and the classification of the
                   sheets of its departments — an editor of a 部 those of its 課 too
executive/auditor  read every sheet; change nothing
anonymous, others  nothing (another municipality's sheet does not exist for them: 404)
=================  ==========================================================================

Commands and the demo loader act as the system (the planning division's rights). The caller passes
the sheet's owning department (``Owners``: the 所管課 id and name); rules never query.
"""

from __future__ import annotations

from shinchoku.core import rules
from shinchoku.core.access import Access
from shinchoku.core.rules import Owners


def read_sheet(access: Access, municipality_id: int | None, owners: Owners) -> str | None:
    """A sheet: the roles that read everything, or an editor of its department (or above it)."""
    return rules.reads_department(access, municipality_id, owners.ids, "事務事業分析シートの表示")


def edit_sheet(access: Access, municipality_id: int | None, owners: Owners) -> str | None:
    """The budget/settlement figures, the classification and its reason of one sheet."""
    return rules.department(
        access, municipality_id, owners.ids, "事務事業分析シートの編集", owner_names=owners.names,
        owners_label="シートの所管課",
    )


def import_sheets(access: Access, municipality_id: int | None) -> str | None:
    """The published sheets of the whole municipality: the planning division (or a command)."""
    return rules.planning(access, municipality_id, "事務事業分析シートの取込")


class Abilities:
    """What the sheet pages show to ``access`` for one sheet (buttons and links), from the rules above."""

    def __init__(self, access: Access, municipality_id: int | None, owners: Owners):
        self.edit = edit_sheet(access, municipality_id, owners) is None
