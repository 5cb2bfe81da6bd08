"""Participants' feedback on a training session, summed up for organisers: pure rules, no I/O.

Each participant who attended rates a session once: content, trainer and relevance, each an
integer 1-5, and an optional comment. Organisers see, per session and per program (all its
sessions together):

- `answers`: how many ratings were given, and `respondents`: how many people gave them (one
  person may rate several sessions of a program);
- the mean of each criterion, exact (`Decimal`) and rounded half up to 2 places only at the end;
  `None` while nobody answered;
- the comments, never with a name nor in submission order: trimmed (whitespace runs made one
  space), empty ones left out, sorted by their text (case-insensitively, then exactly). The
  sorted list is still the list of everyone's comments, so they are shown only once at least
  `MIN_RESPONDENTS_FOR_COMMENTS` (3) different people answered: below that, a comment could be
  traced to the one or two participants who rated (`comments` is then `None` and
  `comments_withheld` true). Means are shown whatever the number, as they are the organiser's
  measure of the session and say nothing in a participant's own words."""

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MIN_SCORE, MAX_SCORE = 1, 5
MIN_RESPONDENTS_FOR_COMMENTS = 3
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class FeedbackAnswer:
    """One participant's rating of one session; `participant` is never shown, only counted."""

    session_id: Hashable
    program_id: Hashable
    participant: Hashable
    content: int
    trainer: int
    relevance: int
    comment: str | None = None

    def __post_init__(self) -> None:
        for name in ("content", "trainer", "relevance"):
            score = getattr(self, name)
            if isinstance(score, bool) or not isinstance(score, int):
                raise TypeError(f"{name} must be an integer")
            if not MIN_SCORE <= score <= MAX_SCORE:
                raise ValueError(f"{name} must be within {MIN_SCORE}-{MAX_SCORE}")


@dataclass(frozen=True, slots=True)
class FeedbackAggregate:
    answers: int
    respondents: int
    content_mean: Decimal | None
    trainer_mean: Decimal | None
    relevance_mean: Decimal | None
    comments: list[str] | None
    """Sorted by text; None while fewer than MIN_RESPONDENTS_FOR_COMMENTS people answered."""
    comments_withheld: bool


def mean(scores: Sequence[int]) -> Decimal | None:
    """The exact mean rounded half up to 2 places; None for no score."""
    if not scores:
        return None
    return (Decimal(sum(scores)) / Decimal(len(scores))).quantize(CENT, rounding=ROUND_HALF_UP)


def clean_comment(comment: str | None) -> str | None:
    if comment is None:
        return None
    text = " ".join(comment.split())
    return text or None


def sorted_comments(comments: Iterable[str | None]) -> list[str]:
    kept = [text for text in map(clean_comment, comments) if text is not None]
    return sorted(kept, key=lambda text: (text.casefold(), text))


def aggregate(answers: Iterable[FeedbackAnswer]) -> FeedbackAggregate:
    """The summary of one group of answers (a session's, or a program's)."""
    group = list(answers)
    respondents = len({answer.participant for answer in group})
    shown = respondents >= MIN_RESPONDENTS_FOR_COMMENTS
    return FeedbackAggregate(
        answers=len(group),
        respondents=respondents,
        content_mean=mean([answer.content for answer in group]),
        trainer_mean=mean([answer.trainer for answer in group]),
        relevance_mean=mean([answer.relevance for answer in group]),
        comments=sorted_comments(answer.comment for answer in group) if shown else None,
        comments_withheld=not shown and any(clean_comment(a.comment) for a in group),
    )


def by_session(answers: Iterable[FeedbackAnswer]) -> dict[Hashable, FeedbackAggregate]:
    """One summary per session that has answers."""
    groups: defaultdict[Hashable, list[FeedbackAnswer]] = defaultdict(list)
    for answer in answers:
        groups[answer.session_id].append(answer)
    return {session: aggregate(group) for session, group in groups.items()}


def by_program(answers: Iterable[FeedbackAnswer]) -> dict[Hashable, FeedbackAggregate]:
    """One summary per program, over all the answers of its sessions."""
    groups: defaultdict[Hashable, list[FeedbackAnswer]] = defaultdict(list)
    for answer in answers:
        groups[answer.program_id].append(answer)
    return {program: aggregate(group) for program, group in groups.items()}
