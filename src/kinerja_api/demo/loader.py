"""Seeding the demo: every region's organisation, then each domain's demo on top of it."""

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.config import get_settings
from kinerja_api.demo import evaluations, feedback, org, plans, training
from kinerja_api.demo.data import REGIONS, DemoDataError
from kinerja_api.demo.writing import DemoRegion, SeedReport

DomainSeed = Callable[[AsyncSession, DemoRegion, SeedReport], Awaitable[None]]
# In order: a domain's demo may read what the ones before it wrote.
DOMAINS: tuple[DomainSeed, ...] = (plans.seed, feedback.seed, evaluations.seed, training.seed)


async def seed_demo(session: AsyncSession) -> SeedReport:
    """Write whatever part of the demo data is missing; flushes, never commits."""
    if get_settings().env == "production":
        raise DemoDataError("refusing to write demo data (published passwords) in production")
    await enter_all_regions(session)
    report = SeedReport()
    for number, spec in enumerate(REGIONS, start=1):
        region = await org.seed_region(session, spec, number, report)
        for seed in DOMAINS:
            await seed(session, region, report)
    await org.seed_superadmin(session, report)
    return report
