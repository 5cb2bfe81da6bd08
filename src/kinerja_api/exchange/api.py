"""What other domains may use of exchange: the one module they import from it.

Imports of complaints received through SP4N-LAPOR! read LAPOR!'s terms (its categories and
statuses) as the LAPOR! export writes them, so that both directions speak the same words."""

from kinerja_api.exchange.lapor.terms import CATEGORY as LAPOR_CATEGORY
from kinerja_api.exchange.lapor.terms import STATUS as LAPOR_STATUS

__all__ = ["LAPOR_CATEGORY", "LAPOR_STATUS"]
