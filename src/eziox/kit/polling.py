"""A background task that runs rounds of work until cancelled: the outbox workers' loop."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime


class PollingWorker:
    """Calls `run_once` again at once while it fills whole batches, else every
    ``poll_interval`` seconds; a failed round is logged and retried on the next one."""

    name = "eziox-worker"
    batch_size = 1
    poll_interval = 1.0
    log = logging.getLogger("eziox")

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    async def run_once(self, now: datetime | None = None) -> int:  # pragma: no cover
        raise NotImplementedError

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def run_until_idle(self, now: datetime | None = None) -> int:
        """Run rounds until nothing is due (tests and the CLI)."""
        total = 0
        while done := await self.run_once(now):
            total += done
        return total

    async def run(self) -> None:
        while True:
            try:
                done = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # the rows stay queued; the next round retries
                self.log.warning("%s round failed; will retry", self.name, exc_info=True)
                done = 0
            if done < self.batch_size:
                await asyncio.sleep(self.poll_interval)
