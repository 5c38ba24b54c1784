"""Who may read and change effects (効果) — the reason for a refusal, or None.

=================  ==========================================================================
role               effects
=================  ==========================================================================
planning           reads every effect of its municipality; registers and imports effect lines
                   (published figures and their computation inputs)
department editor  reads the effects and their computations; changes nothing (a department must
executive/auditor  not set the figures it is judged by, like an indicator's target)
anonymous, others  nothing of this municipality
=================  ==========================================================================

Commands (``shinchoku import effects``, ``shinchoku effect compute``) act as the system.
"""

from __future__ import annotations

from shinchoku.core import rules
from shinchoku.core.access import Access


def view_effects(access: Access, municipality_id: int | None) -> str | None:
    """The effects and their computations (formulas, roll-ups): any role of the municipality."""
    return rules.member(access, municipality_id, "効果の表示")


def edit_effects(access: Access, municipality_id: int | None) -> str | None:
    """Register, change or import effect lines: the planning division (or a command)."""
    return rules.planning(access, municipality_id, "効果の登録・取込")
