"""Participants' feedback summed up: exact means to 2 places, comments sorted by text without
names, and withheld while fewer than three people answered."""

from decimal import Decimal

import pytest

from kinerja_api.training.feedback_rules import (
    MIN_RESPONDENTS_FOR_COMMENTS,
    FeedbackAnswer,
    aggregate,
    by_program,
    by_session,
    mean,
)


def answer(
    participant: str,
    scores: tuple[int, int, int] = (4, 4, 4),
    comment: str | None = None,
    *,
    session: str = "s1",
    program: str = "p1",
) -> FeedbackAnswer:
    content, trainer, relevance = scores
    return FeedbackAnswer(
        session_id=session,
        program_id=program,
        participant=participant,
        content=content,
        trainer=trainer,
        relevance=relevance,
        comment=comment,
    )


def test_means_are_exact_and_rounded_half_up_at_the_end() -> None:
    assert mean([]) is None
    assert mean([5, 4, 4]) == Decimal("4.33")
    assert mean([5, 5, 4]) == Decimal("4.67")
    assert mean([1, 2]) == Decimal("1.50")
    assert mean([4, 4, 4, 4, 4, 4, 4, 5]) == Decimal("4.13")  # 4.125 rounds up
    assert str(mean([3])) == "3.00"


def test_a_sessions_summary() -> None:
    summary = aggregate(
        [
            answer("ani", (5, 4, 3), "Materi sangat bermanfaat"),
            answer("budi", (4, 4, 4), "  waktu   terlalu singkat "),
            answer("citra", (3, 5, 5), ""),
            answer("dodi", (4, 3, 4), "Contoh kasus kurang"),
        ]
    )
    assert (summary.answers, summary.respondents) == (4, 4)
    assert summary.content_mean == Decimal("4.00")
    assert summary.trainer_mean == Decimal("4.00")
    assert summary.relevance_mean == Decimal("4.00")
    # sorted by text, case-insensitively; whitespace tidied, empty comments left out
    assert summary.comments == [
        "Contoh kasus kurang",
        "Materi sangat bermanfaat",
        "waktu terlalu singkat",
    ]
    assert summary.comments_withheld is False


def test_comments_never_come_in_submission_order() -> None:
    first = aggregate([answer("a", comment="zebra"), answer("b", comment="apel"), answer("c")])
    second = aggregate([answer("c"), answer("b", comment="apel"), answer("a", comment="zebra")])
    assert first.comments == second.comments == ["apel", "zebra"]


def test_comments_are_withheld_below_three_respondents_but_means_are_shown() -> None:
    assert MIN_RESPONDENTS_FOR_COMMENTS == 3
    summary = aggregate([answer("ani", (5, 5, 5), "Saya puas"), answer("budi", (3, 3, 3))])
    assert summary.comments is None
    assert summary.comments_withheld is True
    assert summary.content_mean == Decimal("4.00")
    lone = aggregate([answer("ani", (2, 2, 2))])
    assert (lone.comments, lone.comments_withheld) == (None, False)  # nothing was withheld


def test_the_threshold_counts_people_not_answers() -> None:
    # one person rating three sessions of a program is still one respondent
    answers = [answer("ani", comment=f"sesi {n}", session=f"s{n}") for n in range(3)]
    program = by_program(answers)["p1"]
    assert (program.answers, program.respondents, program.comments) == (3, 1, None)


def test_per_session_and_per_program() -> None:
    answers = [
        answer("ani", (5, 5, 5), session="s1"),
        answer("budi", (3, 3, 3), session="s1"),
        answer("ani", (4, 4, 4), session="s2"),
        answer("citra", (1, 1, 1), session="s3", program="p2"),
    ]
    sessions = by_session(answers)
    assert set(sessions) == {"s1", "s2", "s3"}
    assert sessions["s1"].content_mean == Decimal("4.00")
    assert sessions["s2"].answers == 1
    programs = by_program(answers)
    assert programs["p1"].content_mean == Decimal("4.00")
    assert (programs["p1"].answers, programs["p1"].respondents) == (3, 2)
    assert programs["p2"].trainer_mean == Decimal("1.00")


def test_nothing_answered() -> None:
    summary = aggregate([])
    assert (summary.answers, summary.respondents, summary.content_mean) == (0, 0, None)
    assert (summary.comments, summary.comments_withheld) == (None, False)


@pytest.mark.parametrize("score", [0, 6, -1])
def test_scores_outside_one_to_five_are_refused(score: int) -> None:
    with pytest.raises(ValueError, match="1-5"):
        answer("ani", (score, 3, 3))


def test_scores_must_be_integers() -> None:
    with pytest.raises(TypeError):
        answer("ani", (True, 3, 3))
