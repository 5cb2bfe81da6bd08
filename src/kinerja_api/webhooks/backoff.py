"""When a failed delivery is tried again: exponential backoff with jitter, for a window that
starts with the first attempt. The delay after the n-th failure is drawn between half and all
of `min(BASE * 2 ** (n - 1), CAP)` ("equal jitter"): 5-10 s after the first, then 10-20 s,
20-40 s, ... up to 30-60 min apart, about 33 attempts in 24 hours. Receivers that fail together
do not all come back at the same instant."""

import random
from collections.abc import Callable
from datetime import datetime, timedelta

BASE_SECONDS = 10.0
CAP_SECONDS = 3600.0
_RANDOM = random.SystemRandom()


def delay_bounds(failures: int) -> tuple[float, float]:
    """The least and the most seconds to wait after the `failures`-th failed attempt."""
    ceiling = min(CAP_SECONDS, BASE_SECONDS * 2 ** min(failures - 1, 32))
    return ceiling / 2, ceiling


def next_attempt(
    failures: int,
    first_attempt_at: datetime,
    now: datetime,
    window: timedelta,
    draw: Callable[[float, float], float] = _RANDOM.uniform,
) -> datetime | None:
    """When to try again after `failures` failed attempts; None once that would fall past the
    window: the delivery has failed."""
    due = now + timedelta(seconds=draw(*delay_bounds(failures)))
    return due if due <= first_attempt_at + window else None
