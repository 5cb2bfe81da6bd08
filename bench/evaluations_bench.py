"""`evaluation-results`: a closed cycle's 360° results for a whole region (10,000 employees,
100,000 responses, see evaluations_data.py), read through the service page by page as a client
would (200 ratees a page, every page), beside the same aggregation as one raw SQL statement
through bare asyncpg. Rounds alternate between the two; each figure is the median."""

import asyncio
import json
import statistics
import time
import urllib.parse
import urllib.request
from collections.abc import Mapping

import asyncpg
from evaluations_data import ResultsData
from plans_data import _connect

PAGE = 200
RAW_AGGREGATION = """
select ratee_id, relation, value, count(*), sum(score),
       array_agg(comment order by comment) filter (where comment is not null)
  from evaluation_answers
 where region_id = $1 and cycle_id = $2
 group by ratee_id, relation, value
"""


def walk_results(base_url: str, token: str, cycle_id: object) -> tuple[float, int]:
    """Seconds to read every page of the cycle's results, and the ratees read."""
    started = time.perf_counter()
    cursor: str | None = None
    ratees = 0
    while True:
        query = {"limit": PAGE, **({"cursor": cursor} if cursor else {})}
        request = urllib.request.Request(  # noqa: S310 - loopback
            f"{base_url}/api/v1/evaluation-cycles/{cycle_id}/results?"
            + urllib.parse.urlencode(query),
            headers={"Authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310 - loopback
            page = json.load(response)
        ratees += len(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return time.perf_counter() - started, ratees


async def _raw(url: str, data: ResultsData) -> tuple[float, int]:
    connection: asyncpg.Connection = await _connect(url)
    try:
        started = time.perf_counter()
        rows = await connection.fetch(RAW_AGGREGATION, data.region_id, data.cycle_id)
        return time.perf_counter() - started, len({row["ratee_id"] for row in rows})
    finally:
        await connection.close()


def raw_aggregation(url: str, data: ResultsData) -> tuple[float, int]:
    return asyncio.run(_raw(url, data))


def compare(
    base_url: str, token: str, url: str, data: ResultsData, rounds: int
) -> Mapping[str, float]:
    walk_results(base_url, token, data.cycle_id)  # warm-up: caches, prepared statements
    raw_aggregation(url, data)
    service, raw = [], []
    ratees = 0
    for _ in range(rounds):
        seconds, ratees = walk_results(base_url, token, data.cycle_id)
        service.append(seconds)
        raw.append(raw_aggregation(url, data)[0])
    service_median, raw_median = statistics.median(service), statistics.median(raw)
    return {
        "ratees": ratees,
        "responses": data.responses,
        "service_seconds_median": round(service_median, 3),
        "raw_sql_seconds_median": round(raw_median, 3),
        "service_to_raw": round(service_median / raw_median, 2),
    }
