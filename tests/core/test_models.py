"""Rules every ORM model follows."""

from decimal import Decimal

from sqlalchemy.orm import configure_mappers

from kinerja_api.db import Base
from kinerja_api.models import Indicator, ProgressReport


def test_decimals_are_held_at_their_columns_scale() -> None:
    indicator = Indicator(target_value=Decimal("1200.5"), weight=Decimal("12"))
    report = ProgressReport(value=Decimal("3"))
    assert (str(indicator.target_value), str(indicator.weight)) == ("1200.5000", "12.00")
    assert str(report.value) == "3.0000"


def test_server_generated_values_come_back_with_the_write() -> None:
    configure_mappers()
    lazy = [m.class_.__name__ for m in Base.registry.mappers if m.eager_defaults is not True]
    assert lazy == []
