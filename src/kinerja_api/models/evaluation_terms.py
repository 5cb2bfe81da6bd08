"""The words of 360° evaluations: the BerAKHLAK core values, rater relations, and the states
and levels of cycles, assignments, ratings, organisation predikat and objections (the tables
that store them are in `models.evaluations`)."""

from enum import StrEnum

from kinerja_api.models.common import described


@described(
    {
        "berorientasi_pelayanan": "Berorientasi Pelayanan — service oriented",
        "akuntabel": "Akuntabel — accountable",
        "kompeten": "Kompeten — competent",
        "harmonis": "Harmonis — harmonious",
        "loyal": "Loyal — loyal",
        "adaptif": "Adaptif — adaptive",
        "kolaboratif": "Kolaboratif — collaborative",
    }
)
class CoreValue(StrEnum):
    """A BerAKHLAK core value (nilai dasar ASN)."""

    BERORIENTASI_PELAYANAN = "berorientasi_pelayanan"
    AKUNTABEL = "akuntabel"
    KOMPETEN = "kompeten"
    HARMONIS = "harmonis"
    LOYAL = "loyal"
    ADAPTIF = "adaptif"
    KOLABORATIF = "kolaboratif"


@described(
    {
        "self": "diri sendiri — the employee rates themselves",
        "supervisor": "atasan langsung — the direct supervisor",
        "peer": "rekan kerja — a colleague at the same level of the same agency (anonymous)",
        "subordinate": "bawahan langsung — a direct report (anonymous)",
    }
)
class RaterRelation(StrEnum):
    SELF = "self"
    SUPERVISOR = "supervisor"
    PEER = "peer"
    SUBORDINATE = "subordinate"


ANONYMOUS_RELATIONS = frozenset({RaterRelation.PEER, RaterRelation.SUBORDINATE})


@described(
    {
        "draft": "konsep — being prepared, no assignments yet",
        "launched": "berjalan — assignments created, raters answer until the close date",
        "closed": "ditutup — closed: no more answers, results are final",
    }
)
class CycleStatus(StrEnum):
    DRAFT = "draft"
    LAUNCHED = "launched"
    CLOSED = "closed"


@described(
    {
        "pending": "menunggu — to be answered",
        "submitted": "terkirim — answered",
        "overdue": "terlambat — not answered by the close date",
    }
)
class AssignmentStatus(StrEnum):
    PENDING = "pending"
    SUBMITTED = "submitted"
    OVERDUE = "overdue"


@described(
    {
        "above": "di atas ekspektasi — above expectation",
        "meets": "sesuai ekspektasi — meets expectation",
        "below": "di bawah ekspektasi — below expectation",
    }
)
class RatingLevel(StrEnum):
    ABOVE = "above"
    MEETS = "meets"
    BELOW = "below"


@described(
    {
        "sangat_baik": "Sangat Baik — very good",
        "baik": "Baik — good",
        "butuh_perbaikan": "Butuh Perbaikan — needs improvement",
        "kurang": "Kurang (misconduct) — poor",
        "sangat_kurang": "Sangat Kurang — very poor",
    }
)
class Predicate(StrEnum):
    """An employee's predikat kinerja, read from the regulation's matrix."""

    SANGAT_BAIK = "sangat_baik"
    BAIK = "baik"
    BUTUH_PERBAIKAN = "butuh_perbaikan"
    KURANG = "kurang"
    SANGAT_KURANG = "sangat_kurang"


@described(
    {
        "istimewa": "Istimewa — outstanding",
        "baik": "Baik — good",
        "butuh_perbaikan": "Butuh Perbaikan (Cukup) — needs improvement",
        "kurang": "Kurang — poor",
        "sangat_kurang": "Sangat Kurang — very poor",
    }
)
class OrganisationPredicate(StrEnum):
    """An agency's own predikat kinerja organisasi for a period."""

    ISTIMEWA = "istimewa"
    BAIK = "baik"
    BUTUH_PERBAIKAN = "butuh_perbaikan"
    KURANG = "kurang"
    SANGAT_KURANG = "sangat_kurang"


@described(
    {
        "draft": "konsep — may still change",
        "locked": "ditetapkan — locked with the agency's ratings",
    }
)
class RatingStatus(StrEnum):
    DRAFT = "draft"
    LOCKED = "locked"


@described(
    {
        "open": "terbuka — the agency's ratings may still change",
        "locked": "ditetapkan — the agency's ratings are locked",
    }
)
class AgencyRatingStatus(StrEnum):
    OPEN = "open"
    LOCKED = "locked"


@described(
    {
        "pending": "diajukan — waits for the decision",
        "upheld": "ditolak — the rating stands",
        "changed": "dikabulkan — the rating was changed",
    }
)
class ObjectionStatus(StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"
    CHANGED = "changed"
