"""Retry delays for the outboxes (webhook deliveries, mail): a schedule with jitter."""

from __future__ import annotations

import random
from collections.abc import Sequence


def retry_delay(schedule: Sequence[float], attempts: int) -> float:
    """Seconds until the next try after ``attempts`` failures, with ±20 % jitter so that
    rows failed together do not all come back in the same second."""
    base = schedule[min(max(attempts, 1), len(schedule)) - 1]
    return base * random.uniform(0.8, 1.2)
