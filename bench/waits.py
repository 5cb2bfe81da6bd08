"""What a load waits for: while it runs, samples which of the service's database sessions are
busy and which of those wait for a lock (`pg_stat_activity`), and how busy the machine's CPUs
are (`/proc/stat`). Writers that never wait for each other show no lock waits; a load that
keeps every CPU busy cannot go faster by adding writers, whatever they lock."""

import asyncio
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import asyncpg

_SAMPLE = """
select count(*) filter (where state = 'active') as active,
  count(*) filter (where state = 'active' and wait_event_type = 'Lock') as waiting,
  array_agg(wait_event || coalesce(' ' || waited.on, ''))
    filter (where state = 'active' and wait_event_type = 'Lock') as on
from pg_stat_activity a
left join lateral (
  select coalesce(l.relation::regclass::text, l.classid::regclass::text) as on
  from pg_locks l where l.pid = a.pid and not l.granted limit 1
) waited on true
where application_name = $1 and pid <> pg_backend_pid()
"""


@dataclass
class Waits:
    active: int = 0  # busy sessions, summed over the samples
    waiting: int = 0  # of those, waiting for a lock
    cpu_busy: float = 0.0  # share of all CPUs' time not idle, over the load
    # What the waiting sessions waited on (PostgreSQL's lock types: `tuple`, `transactionid`,
    # `advisory`, `relation`...), summed over the samples.
    on: Counter[str] = field(default_factory=Counter)

    @property
    def lock_wait_share(self) -> float:
        return self.waiting / self.active if self.active else 0.0


def _cpu_times() -> tuple[int, int]:
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return sum(fields) - idle, sum(fields)


class WaitSampler:
    """`with WaitSampler(dsn) as waits:` samples every `interval` seconds while the block runs."""

    def __init__(self, dsn: str, application: str = "kinerja-api", interval: float = 0.02):
        self._dsn, self._application, self._interval = dsn, application, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._sample()), daemon=True)
        self.waits = Waits()

    async def _sample(self) -> None:
        connection = await asyncpg.connect(self._dsn)
        try:
            while not self._stop.is_set():
                row = await connection.fetchrow(_SAMPLE, self._application)
                self.waits.active += row["active"]
                self.waits.waiting += row["waiting"]
                self.waits.on.update(row["on"] or [])
                await asyncio.sleep(self._interval)
        finally:
            await connection.close()

    def __enter__(self) -> Waits:
        self._busy, self._total = _cpu_times()
        self._thread.start()
        return self.waits

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        busy, total = _cpu_times()
        self.waits.cpu_busy = (busy - self._busy) / max(total - self._total, 1)
