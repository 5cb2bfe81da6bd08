from collections.abc import Iterator

import pytest

from kinerja_api.config import Settings
from tests.webhooks.helpers import Receiver, receiving_settings, running_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


@pytest.fixture
def live(settings: Settings) -> Settings:
    """The settings deliveries are made with: the receiver's host allowed, short timeouts."""
    return receiving_settings(settings)
