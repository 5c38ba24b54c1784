"""Online-procedure drive (行政手続のオンライン化): rates, target selection, quotas, swaps, warnings.

Modelled on the Toshima ward DX headquarters meeting of 25 March 2024 (seed 004): the ward aims at
300 online procedures in FY2024; 122 are (or will be) online by the end of FY2023; the February
survey found 478 procedures not yet online; of those, excluding the ones that law or payment
make hard to put online, the 180 with the largest yearly volume were chosen and allotted to the
departments (部) as quotas. A department may exchange a designated procedure for another of its
own, but *the number allotted to the department cannot change* (「指定事務の変更は可能だが、部に
割り振られた件数は変更不可」). 区民部 got 47 on top of about 20 already online (67 in all) while
Edogawa, the most advanced ward, has 36 online in 区民部 — judged 「厳しい」 at the meeting.

Definitions used here:

* eligible: not online and without any blocker (:data:`BLOCKERS`).
* ranking (deterministic, independent of input order): yearly volume descending, then department,
  then name, then key (ascending, by Unicode code point). The tie-break only decides *which* of
  equally large procedures make the cut; every eligible procedure left out has a volume ≤ the
  smallest chosen one.
* ``select_targets(n=…)`` picks the first n of the ranking; ``target_total=…`` alone means
  n = target_total − already online (never below 0); with both, n is used and the difference to
  the target is reported (Toshima: 300 − 122 = 178, but 180 were chosen: +2).
* quota: the number of chosen procedures per department (:attr:`ProcedureData.department` is the
  unit quotas are allotted to — 部 in Toshima).
* "far above peers" (:func:`quota_warnings`): the department's planned year-end count (already
  online + quota) is more than ``factor`` × the median of what the same department achieved in
  peer municipalities; ``factor`` defaults to 1.5. (The brief suggested 2×; but Toshima 区民部 —
  67 planned vs 36 at Edogawa, 1.86× — was judged 「厳しい」 in the meeting, and a 2× threshold
  would not flag the one case the minutes discuss.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

#: Blockers that make a procedure hard to put online (with the Japanese label shown to users).
#: Other strings are accepted (any blocker excludes the procedure); they are shown as given.
BLOCKERS: dict[str, str] = {
    "law_requires_paper": "法令で書面・来庁が必要",
    "payment": "手数料等の金銭の支払いがある",
    "original_documents": "原本の提出が必要",
    "in_person_identity": "対面での本人確認が必要",
    "seal_or_signature": "押印・自署が必要",
    "other_system": "他機関のシステムで受付",
}

#: Channels procedures are put online through (free text is accepted too).
CHANNELS: tuple[str, ...] = ("東京共同電子申請", "ぴったりサービス", "LoGoフォーム", "独自フォーム")


class SelectionError(ValueError):
    """A selection request or a swap that the rules do not allow; the message is Japanese."""


@dataclass(frozen=True)
class ProcedureData:
    key: str
    name: str
    department: str
    yearly_volume: int
    online: bool = False
    channel: str | None = None
    blockers: frozenset[str] = field(default_factory=frozenset)
    section: str | None = None  # 課 within the department, informative
    legal_basis: str | None = None
    target_year: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key:
            raise SelectionError("事務のキーが空です")
        if not self.department:
            raise SelectionError(f"事務「{self.name}」（{self.key}）の部局が空です")
        if isinstance(self.yearly_volume, bool) or not isinstance(self.yearly_volume, int):
            raise SelectionError(f"事務「{self.name}」（{self.key}）の年間件数は整数で指定してください")
        if self.yearly_volume < 0:
            raise SelectionError(f"事務「{self.name}」（{self.key}）の年間件数が負です")
        object.__setattr__(self, "blockers", frozenset(self.blockers))

    @property
    def blocked(self) -> bool:
        return bool(self.blockers)

    @property
    def eligible(self) -> bool:
        """Not online and nothing in the way: may be chosen as a target."""
        return not self.online and not self.blockers

    def blocker_labels(self) -> list[str]:
        return [BLOCKERS.get(b, b) for b in sorted(self.blockers)]


def rank_key(p: ProcedureData) -> tuple:
    """Ranking of eligible procedures: volume desc, then department, name, key (ascending)."""
    return (-p.yearly_volume, p.department, p.name, p.key)


# --------------------------------------------------------------------------- rates


@dataclass(frozen=True)
class OnlineRate:
    count_total: int
    count_online: int
    volume_total: int
    volume_online: int

    @property
    def rate_by_count(self) -> Decimal | None:
        return Decimal(self.count_online) / Decimal(self.count_total) if self.count_total else None

    @property
    def rate_by_volume(self) -> Decimal | None:
        return Decimal(self.volume_online) / Decimal(self.volume_total) if self.volume_total else None

    @property
    def formula(self) -> str:
        return (
            f"件数ベース: {self.count_online:,}事務 ÷ {self.count_total:,}事務 = {_pct(self.rate_by_count)}／"
            f"利用件数ベース: {self.volume_online:,}件 ÷ {self.volume_total:,}件 = {_pct(self.rate_by_volume)}"
        )


def _pct(rate: Decimal | None, places: int = 1) -> str:
    if rate is None:
        return "—（対象なし）"
    q = Decimal(1).scaleb(-places)
    return f"{(rate * 100).quantize(q, rounding=ROUND_HALF_UP)}%"


@dataclass(frozen=True)
class OnlineRates:
    overall: OnlineRate
    by_department: dict[str, OnlineRate]


def _rate(procs: Sequence[ProcedureData]) -> OnlineRate:
    return OnlineRate(
        count_total=len(procs),
        count_online=sum(1 for p in procs if p.online),
        volume_total=sum(p.yearly_volume for p in procs),
        volume_online=sum(p.yearly_volume for p in procs if p.online),
    )


def online_rates(procs: Iterable[ProcedureData]) -> OnlineRates:
    """Online rate by number of procedures and by yearly volume, overall and per department."""
    items = list(procs)
    by_dept: dict[str, list[ProcedureData]] = {}
    for p in items:
        by_dept.setdefault(p.department, []).append(p)
    return OnlineRates(
        overall=_rate(items),
        by_department={d: _rate(ps) for d, ps in sorted(by_dept.items())},
    )


# --------------------------------------------------------------------------- selection


@dataclass(frozen=True)
class Selection:
    """The chosen targets with the numbers that explain them.

    ``selected`` is in ranking order (a swapped-in procedure takes the place of the one it
    replaced). ``inventory`` is every procedure by key, for swaps and progress.
    """

    selected: tuple[ProcedureData, ...]
    n: int
    target_total: int | None
    already_online: int
    needed_for_target: int | None  # target_total − already_online (≥ 0), None without a target
    difference: int | None  # n − needed_for_target when both n and target_total were given
    eligible_count: int
    blocked_count: int  # not online but blocked
    shortfall: int  # n − number chosen (> 0 when there are not enough eligible procedures)
    inventory: Mapping[str, ProcedureData]
    notes: tuple[str, ...] = ()
    swaps: tuple[tuple[str, str, str], ...] = ()  # (department, out_key, in_key)

    @property
    def keys(self) -> list[str]:
        return [p.key for p in self.selected]

    @property
    def quotas(self) -> dict[str, int]:
        return quotas(self.selected)

    def online_by_department(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self.inventory.values():
            if p.online:
                out[p.department] = out.get(p.department, 0) + 1
        return out


def _index(procs: Iterable[ProcedureData]) -> dict[str, ProcedureData]:
    inventory: dict[str, ProcedureData] = {}
    for p in procs:
        if p.key in inventory:
            raise SelectionError(f"事務のキー「{p.key}」が重複しています")
        inventory[p.key] = p
    return inventory


def select_targets(
    procs: Iterable[ProcedureData],
    n: int | None = None,
    target_total: int | None = None,
) -> Selection:
    """Choose the ``n`` eligible procedures with the largest yearly volume (see the module docstring)."""
    inventory = _index(procs)
    already = sum(1 for p in inventory.values() if p.online)
    notes: list[str] = []
    if n is None and target_total is None:
        raise SelectionError("選定件数 n か目標総数 target_total のどちらかを指定してください")
    for value, label in ((n, "選定件数"), (target_total, "目標総数")):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise SelectionError(f"{label}は0以上の整数で指定してください: {value!r}")
    needed = None
    difference = None
    if target_total is not None:
        needed = max(target_total - already, 0)
        if target_total <= already:
            notes.append(
                f"オンライン化済み{already}件が目標総数{target_total}件に既に達しています"
            )
    if n is None:
        assert needed is not None
        n = needed
    elif needed is not None:
        difference = n - needed
        if difference:
            notes.append(
                f"選定件数{n}件は、目標総数{target_total}件 − オンライン化済み{already}件 = {needed}件と"
                f"{abs(difference)}件{'多い' if difference > 0 else '少ない'}です"
            )
    eligible = sorted((p for p in inventory.values() if p.eligible), key=rank_key)
    chosen = tuple(eligible[:n])
    shortfall = n - len(chosen)
    if shortfall:
        notes.append(
            f"対象となる事務（未オンライン化かつ阻害要因なし）が{len(eligible)}件しかなく、"
            f"選定件数{n}件に{shortfall}件不足します"
        )
    return Selection(
        selected=chosen,
        n=n,
        target_total=target_total,
        already_online=already,
        needed_for_target=needed,
        difference=difference,
        eligible_count=len(eligible),
        blocked_count=sum(1 for p in inventory.values() if not p.online and p.blockers),
        shortfall=shortfall,
        inventory=inventory,
        notes=tuple(notes),
    )


def quotas(selected: Selection | Iterable[ProcedureData]) -> dict[str, int]:
    """Chosen procedures per department (count desc, then department name); sums to the number chosen."""
    items = selected.selected if isinstance(selected, Selection) else selected
    counts: dict[str, int] = {}
    for p in items:
        counts[p.department] = counts.get(p.department, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def swap(selection: Selection, dept: str, out_key: str, in_key: str) -> Selection:
    """Exchange a chosen procedure of ``dept`` for another procedure; refuse what the rules forbid.

    Allowed: ``in_key`` is a procedure of the same department, not online, without blockers and
    not already chosen. Refused (:class:`SelectionError`, Japanese message) — in particular any swap
    that would lower the department's quota (「部に割り振られた件数は変更不可」).
    """
    chosen = {p.key: i for i, p in enumerate(selection.selected)}
    if out_key not in chosen:
        raise SelectionError(f"「{out_key}」は選定された事務ではありません")
    out_p = selection.selected[chosen[out_key]]
    if out_p.department != dept:
        raise SelectionError(
            f"「{out_p.name}」（{out_key}）は{out_p.department}の事務であり、{dept}の事務ではありません"
        )
    in_p = selection.inventory.get(in_key)
    if in_p is None:
        raise SelectionError(f"「{in_key}」は事務一覧にありません")
    if in_key in chosen:
        raise SelectionError(f"「{in_p.name}」（{in_key}）は既に選定されています")
    before = quotas(selection.selected)
    new_selected = list(selection.selected)
    new_selected[chosen[out_key]] = in_p
    after = quotas(new_selected)
    lowered = [d for d, q in before.items() if after.get(d, 0) < q]
    if lowered:
        d = lowered[0]
        raise SelectionError(
            f"{d}の割当件数が{before[d]}件から{after.get(d, 0)}件に減るため入れ替えできません"
            f"（「{in_p.name}」は{in_p.department}の事務です。部に割り振られた件数は変更できません）"
        )
    if in_p.online:
        raise SelectionError(f"「{in_p.name}」（{in_key}）は既にオンライン化済みのため指定できません")
    if in_p.blockers:
        raise SelectionError(
            f"「{in_p.name}」（{in_key}）にはオンライン化の阻害要因（{'、'.join(in_p.blocker_labels())}）"
            "があるため指定できません"
        )
    return replace(
        selection,
        selected=tuple(new_selected),
        swaps=selection.swaps + ((dept, out_key, in_key),),
    )


# --------------------------------------------------------------------------- progress and warnings


@dataclass(frozen=True)
class QuotaProgress:
    department: str
    quota: int
    done: int  # chosen procedures of the department that are online now

    @property
    def remaining(self) -> int:
        return max(self.quota - self.done, 0)

    @property
    def rate(self) -> Decimal | None:
        return Decimal(self.done) / Decimal(self.quota) if self.quota else None


def quota_progress(selection: Selection, current: Iterable[ProcedureData]) -> dict[str, QuotaProgress]:
    """Progress against the quota: how many of each department's chosen procedures are online now."""
    now = {p.key: p for p in current}
    done: dict[str, int] = {}
    for p in selection.selected:
        cur = now.get(p.key)
        if cur is not None and cur.online:
            done[p.department] = done.get(p.department, 0) + 1
    return {d: QuotaProgress(d, q, done.get(d, 0)) for d, q in selection.quotas.items()}


DEFAULT_FAR_FACTOR = Decimal("1.5")


@dataclass(frozen=True)
class QuotaWarning:
    department: str
    quota: int
    already_online: int
    planned: Decimal  # already online + quota (a rate when department sizes were given)
    peer_median: Decimal
    peer_max: Decimal
    ratio: Decimal  # planned ÷ peer median
    factor: Decimal
    message: str


def quota_warnings(
    quotas: Selection | Mapping[str, int],
    peer_achievements: Mapping[str, Sequence[int | Decimal] | int | Decimal],
    *,
    already_online: Mapping[str, int] | None = None,
    department_sizes: Mapping[str, int] | None = None,
    factor: Decimal | int | str = DEFAULT_FAR_FACTOR,
) -> list[QuotaWarning]:
    """Warn where a department's plan is far above what the same department achieved elsewhere.

    planned = already online + quota (with a :class:`Selection`, both come from it). With
    ``department_sizes`` (procedures per department in our inventory) planned becomes a rate
    (planned ÷ size) and the peer figures are read as rates too. A warning is raised when
    planned > ``factor`` × median(peer figures); departments without peer figures are not judged.
    Warnings are ordered by ratio, highest first.
    """
    f = Decimal(str(factor)) if not isinstance(factor, Decimal) else factor
    if f <= 0:
        raise SelectionError("倍率 factor は0より大きくしてください")
    if isinstance(quotas, Selection):
        q_map = quotas.quotas
        online = quotas.online_by_department() if already_online is None else dict(already_online)
    else:
        q_map = dict(quotas)
        online = dict(already_online or {})
    out: list[QuotaWarning] = []
    for dept, quota in q_map.items():
        raw = peer_achievements.get(dept)
        if raw is None:
            continue
        peers = [Decimal(str(v)) for v in (raw if isinstance(raw, (list, tuple)) else [raw])]
        if not peers:
            continue
        med = Decimal(str(median(peers)))
        have = online.get(dept, 0)
        planned = Decimal(have + quota)
        unit = "件"
        if department_sizes is not None:
            size = department_sizes.get(dept)
            if not size:
                continue
            planned = planned / Decimal(size)
            unit = ""
        if med <= 0:
            ratio = Decimal("Infinity") if planned > 0 else Decimal(0)
        else:
            ratio = planned / med
        if planned > f * med:
            shown_ratio = "∞" if not ratio.is_finite() else f"{ratio.quantize(Decimal('0.01'), ROUND_HALF_UP)}"
            if unit:
                plan_text = f"割当{quota}件＋オンライン化済み{have}件＝{have + quota}件"
                med_text = f"{_num(med)}件"
            else:
                plan_text = f"（オンライン化済み{have}件＋割当{quota}件）÷ {department_sizes[dept]}事務 = {_pct(planned)}"
                med_text = _pct(med)
            out.append(
                QuotaWarning(
                    department=dept,
                    quota=quota,
                    already_online=have,
                    planned=planned,
                    peer_median=med,
                    peer_max=max(peers),
                    ratio=ratio,
                    factor=f,
                    message=(
                        f"{dept}: {plan_text}は、他自治体の同部局の実績（中央値{med_text}）の{shown_ratio}倍です"
                        f"（基準: {_num(f)}倍超）。割当が過大でないか、他部局との調整を検討してください"
                    ),
                )
            )
    out.sort(key=lambda w: (-w.ratio, w.department))
    return out


def _num(d: Decimal) -> str:
    return f"{d.normalize():,f}" if d != d.to_integral_value() else f"{int(d):,}"


__all__ = [
    "BLOCKERS",
    "CHANNELS",
    "DEFAULT_FAR_FACTOR",
    "OnlineRate",
    "OnlineRates",
    "ProcedureData",
    "QuotaProgress",
    "QuotaWarning",
    "Selection",
    "SelectionError",
    "online_rates",
    "quota_progress",
    "quota_warnings",
    "quotas",
    "rank_key",
    "select_targets",
    "swap",
]
