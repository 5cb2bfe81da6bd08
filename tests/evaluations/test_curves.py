"""The regulation's distribution curves: which spreads an organisation predikat admits."""

from decimal import Decimal

from kinerja_api.evaluations.curves import check
from kinerja_api.models.evaluations import OrganisationPredicate as Org
from kinerja_api.models.evaluations import Predicate

SB, B, BP, K, SK = (
    Predicate.SANGAT_BAIK,
    Predicate.BAIK,
    Predicate.BUTUH_PERBAIKAN,
    Predicate.KURANG,
    Predicate.SANGAT_KURANG,
)


def test_istimewa_admits_seventy_percent_sangat_baik_and_no_more() -> None:
    assert check(Org.ISTIMEWA, [SB] * 7 + [B] * 3) == []
    [violation] = check(Org.ISTIMEWA, [SB] * 8 + [B] * 2)
    assert violation.band == "sangat_baik"
    assert (violation.count, violation.share, violation.at_most) == (
        8,
        Decimal("0.8000"),
        Decimal("0.70"),
    )


def test_baik_needs_someone_below_baik_and_at_most_seventy_percent_baik() -> None:
    bands = {v.band for v in check(Org.BAIK, [B] * 10)}
    assert bands == {"baik", "butuh_perbaikan+kurang"}
    assert check(Org.BAIK, [B] * 7 + [SB] * 2 + [BP]) == []
    assert check(Org.BAIK, [B] * 7 + [SB] * 2 + [K]) == []


def test_butuh_perbaikan_needs_sixty_percent_and_caps_sangat_baik() -> None:
    assert check(Org.BUTUH_PERBAIKAN, [BP] * 6 + [B] * 3 + [SB]) == []
    assert {v.band for v in check(Org.BUTUH_PERBAIKAN, [BP] * 5 + [B] * 3 + [SB] * 2)} == {
        "butuh_perbaikan",
        "sangat_baik",
    }


def test_kurang_and_sangat_kurang() -> None:
    assert check(Org.KURANG, [K] * 6 + [BP] + [B] * 3) == []
    assert {v.band for v in check(Org.KURANG, [K] * 6 + [B] * 4)} == {"butuh_perbaikan"}
    assert check(Org.SANGAT_KURANG, [SK] * 6 + [K] + [B] * 3) == []
    assert {v.band for v in check(Org.SANGAT_KURANG, [SK] * 9 + [SB])} == {
        "sangat_baik",
        "butuh_perbaikan+kurang",
    }


def test_no_rated_employee_breaks_nothing() -> None:
    assert check(Org.BAIK, []) == []
