"""What a 360° result may show of each rater group: pure rules, no I/O.

Self and supervisor (atasan langsung) answers are shown as such. Peers and subordinates are
anonymous: their group is shown only as aggregates (how many answered, mean scores, comments
sorted by their text) and only when

- the cycle is closed: while raters still answer, an aggregate that grows response by response
  would let a reader attribute each new answer by comparing two readings, so every anonymous
  group of an open cycle is withheld (`cycle_open`), whatever its size; and
- at least the cycle's anonymity threshold of raters answered every core value: a smaller group
  is withheld (`below_threshold`) without its count, its means or its comments.

A withheld group contributes to nothing else either: no overall mean, no hint, no count.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from kinerja_api.models.common import described
from kinerja_api.models.evaluations import ANONYMOUS_RELATIONS, CoreValue, RaterRelation

CENT = Decimal("0.01")
# No cycle may show a group smaller than this, whatever its own threshold says.
ANONYMITY_FLOOR = 3
RELATION_ORDER = (
    RaterRelation.SELF,
    RaterRelation.SUPERVISOR,
    RaterRelation.PEER,
    RaterRelation.SUBORDINATE,
)
VALUE_ORDER = tuple(CoreValue)


@described(
    {
        "below_threshold": "fewer raters answered than the cycle's anonymity threshold",
        "cycle_open": "the cycle is still open: anonymous groups are shown once it is closed",
    }
)
class Withheld(StrEnum):
    """Why an anonymous rater group is not shown."""

    BELOW_THRESHOLD = "below_threshold"
    CYCLE_OPEN = "cycle_open"


@dataclass(frozen=True, slots=True)
class Tally:
    """The answers of one rater group for one core value: how many, their sum, and their
    comments (in any order: they are sorted before anyone sees them)."""

    relation: RaterRelation
    value: CoreValue
    answers: int
    total: int
    comments: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ValueScore:
    value: CoreValue
    mean: Decimal
    comments: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GroupResult:
    """A rater group as readers see it: `withheld` with nothing else, or its figures."""

    relation: RaterRelation
    anonymous: bool
    withheld: Withheld | None
    responses: int | None
    mean: Decimal | None
    values: tuple[ValueScore, ...]


@dataclass(frozen=True, slots=True)
class CyclePolicy:
    """What of a cycle decides what its results show."""

    relations: frozenset[RaterRelation]
    threshold: int
    closed: bool


def mean_of(total: int, count: int) -> Decimal:
    return (Decimal(total) / Decimal(count)).quantize(CENT, rounding=ROUND_HALF_UP)


def _withheld(relation: RaterRelation, withheld: Withheld) -> GroupResult:
    return GroupResult(relation, True, withheld, None, None, ())


def group_result(
    relation: RaterRelation, tallies: Iterable[Tally], policy: CyclePolicy
) -> GroupResult:
    """One group of one ratee from its tallies (one per core value answered)."""
    by_value = {tally.value: tally for tally in tallies if tally.relation == relation}
    anonymous = relation in ANONYMOUS_RELATIONS
    if anonymous:
        if not policy.closed:
            return _withheld(relation, Withheld.CYCLE_OPEN)
        # Every response answers every value; a value answered by fewer raters than the
        # threshold would single someone out, so the whole group is withheld.
        if len(by_value) < len(VALUE_ORDER) or any(
            tally.answers < max(policy.threshold, ANONYMITY_FLOOR) for tally in by_value.values()
        ):
            return _withheld(relation, Withheld.BELOW_THRESHOLD)
    ordered = [by_value[value] for value in VALUE_ORDER if value in by_value]
    values = tuple(
        ValueScore(tally.value, mean_of(tally.total, tally.answers), tuple(sorted(tally.comments)))
        for tally in ordered
    )
    answers = sum(tally.answers for tally in ordered)
    return GroupResult(
        relation=relation,
        anonymous=anonymous,
        withheld=None,
        responses=max((tally.answers for tally in ordered), default=0),
        mean=mean_of(sum(tally.total for tally in ordered), answers) if answers else None,
        values=values,
    )


def ratee_results(tallies: Iterable[Tally], policy: CyclePolicy) -> list[GroupResult]:
    """Every group taking part in the cycle, in a fixed order (self, supervisor, peers,
    subordinates), whatever was answered."""
    collected = list(tallies)
    return [
        group_result(relation, collected, policy)
        for relation in RELATION_ORDER
        if relation in policy.relations
    ]


@dataclass(frozen=True, slots=True)
class ValueMean:
    value: CoreValue
    mean: Decimal


def weakest_values(
    groups: Sequence[GroupResult], tallies: Iterable[Tally], limit: int = 3
) -> list[ValueMean]:
    """The core values with the lowest mean over the groups that are shown (withheld groups
    count for nothing), lowest first, at most `limit`: a hint for a development plan."""
    shown = {group.relation for group in groups if group.withheld is None}
    sums: dict[CoreValue, list[int]] = {}
    for tally in tallies:
        if tally.relation in shown and tally.answers:
            answers_total = sums.setdefault(tally.value, [0, 0])
            answers_total[0] += tally.answers
            answers_total[1] += tally.total
    means = [ValueMean(value, mean_of(total, count)) for value, (count, total) in sums.items()]
    means.sort(key=lambda item: (item.mean, VALUE_ORDER.index(item.value)))
    return means[:limit]


def policy_of(
    *,
    include: Mapping[RaterRelation, bool],
    threshold: int,
    closed: bool,
) -> CyclePolicy:
    return CyclePolicy(
        relations=frozenset(relation for relation, taking_part in include.items() if taking_part),
        threshold=threshold,
        closed=closed,
    )
