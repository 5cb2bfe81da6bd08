"""The pure mapping of complaint terms onto SP4N-LAPOR!'s."""

from kinerja_api.exchange.lapor.terms import CATEGORY, STATUS, TITLE_CHARS, title
from kinerja_api.models.feedback import ComplaintCategory, ComplaintStatus


def test_every_status_and_category_of_the_api_has_its_lapor_term() -> None:
    assert set(STATUS) == {status.value for status in ComplaintStatus}
    assert set(CATEGORY) == {category.value for category in ComplaintCategory}
    assert set(STATUS.values()) == {
        "belum_terverifikasi",
        "belum_ditindaklanjuti",
        "proses",
        "selesai",
    }


def test_the_title_is_the_first_sentence() -> None:
    assert title("Antrean terlalu lama. Petugas hanya satu.") == "Antrean terlalu lama."
    assert title("Kenapa loket tutup?  Padahal jam kerja.") == "Kenapa loket tutup?"
    assert title("  Toilet\n  rusak  ") == "Toilet rusak"


def test_a_long_first_sentence_is_cut_at_a_word() -> None:
    words = "pelayanan " * 30
    cut = title(words)
    assert len(cut) <= TITLE_CHARS
    assert cut.endswith("pelayanan…")
