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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from kinerja_api.models.common import described
from kinerja_api.models.evaluations import ANONYMOUS_RELATIONS, CoreValue, RaterRelation

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
class GroupTally:
    """The answers of one rater group about one ratee: per core value answered, how many
    answers and their sum (`scores`), and its comments (in any order: they are sorted before
    anyone sees them)."""

    relation: RaterRelation
    scores: Mapping[CoreValue, tuple[int, int]]
    comments: Mapping[CoreValue, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GroupResult:
    """A rater group as readers see it: `withheld` with nothing else, or its figures: the
    mean per core value answered (in `VALUE_ORDER`) and the comments per value, sorted."""

    relation: RaterRelation
    anonymous: bool
    withheld: Withheld | None
    responses: int | None
    mean: str | None
    means: Mapping[CoreValue, str]
    comments: Mapping[CoreValue, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class CyclePolicy:
    """What of a cycle decides what its results show."""

    relations: frozenset[RaterRelation]
    threshold: int
    closed: bool


def hundredths(total: int, count: int) -> int:
    """total / count in hundredths, rounded half up (scores are positive)."""
    return (200 * total + count) // (2 * count)


@lru_cache(maxsize=65536)
def mean_of(total: int, count: int) -> str:
    """The mean score to two decimals, rounded half up, written as the contract writes
    decimals ("3.67"): exact integer arithmetic, cheap enough for a page of 200 ratees."""
    units, cents = divmod(hundredths(total, count), 100)
    return f"{units}.{cents:02d}"


def _withheld(relation: RaterRelation, withheld: Withheld) -> GroupResult:
    return GroupResult(relation, True, withheld, None, None, {}, {})


def group_result(
    relation: RaterRelation, tally: GroupTally | None, policy: CyclePolicy
) -> GroupResult:
    """One group of one ratee from its tally (None: nobody of the group answered)."""
    scores = tally.scores if tally is not None else {}
    anonymous = relation in ANONYMOUS_RELATIONS
    if anonymous:
        if not policy.closed:
            return _withheld(relation, Withheld.CYCLE_OPEN)
        # Every response answers every value; a value answered by fewer raters than the
        # threshold would single someone out, so the whole group is withheld.
        threshold = max(policy.threshold, ANONYMITY_FLOOR)
        if len(scores) < len(VALUE_ORDER) or any(n < threshold for n, _ in scores.values()):
            return _withheld(relation, Withheld.BELOW_THRESHOLD)
    comments = tally.comments if tally is not None else {}
    means = {}
    answers = total = responses = 0
    for value in VALUE_ORDER:
        if value in scores:
            count, value_total = scores[value]
            means[value] = mean_of(value_total, count)
            answers += count
            total += value_total
            if count > responses:
                responses = count
    return GroupResult(
        relation=relation,
        anonymous=anonymous,
        withheld=None,
        responses=responses,
        mean=mean_of(total, answers) if answers else None,
        means=means,
        comments={value: tuple(sorted(comments[value])) for value in means if comments.get(value)},
    )


def ratee_results(
    tallies: Mapping[RaterRelation, GroupTally], policy: CyclePolicy
) -> list[GroupResult]:
    """Every group taking part in the cycle, in a fixed order (self, supervisor, peers,
    subordinates), whatever was answered."""
    return [
        group_result(relation, tallies.get(relation), policy)
        for relation in RELATION_ORDER
        if relation in policy.relations
    ]


@dataclass(frozen=True, slots=True)
class ValueMean:
    value: CoreValue
    mean: str


def weakest_values(
    groups: Sequence[GroupResult], tallies: Mapping[RaterRelation, GroupTally], limit: int = 3
) -> list[ValueMean]:
    """The core values with the lowest mean over the groups that are shown (withheld groups
    count for nothing), lowest first, at most `limit`: a hint for a development plan."""
    sums: dict[CoreValue, list[int]] = {}
    for group in groups:
        tally = tallies.get(group.relation)
        if group.withheld is not None or tally is None:
            continue
        for value, (answers, total) in tally.scores.items():
            if answers:
                answers_total = sums.setdefault(value, [0, 0])
                answers_total[0] += answers
                answers_total[1] += total
    ranked = sorted(
        sums.items(),
        key=lambda item: (hundredths(item[1][1], item[1][0]), VALUE_ORDER.index(item[0])),
    )
    return [ValueMean(value, mean_of(total, count)) for value, (count, total) in ranked[:limit]]


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
