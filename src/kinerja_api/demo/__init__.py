"""Demo data for the four pilot regions, written by `kinerja seed-demo` and `serve --seed`.

The data lives in TOML files beside the code (regions.toml, names.toml, organisation.toml and one
per domain, e.g. feedback.toml), read with `data.read`. `org` writes each region's agencies,
employees, logins and service account and hands back a `writing.DemoRegion`; every other domain
builds on it in its own module. To add a domain's demo:

1. write `demo/<domain>.py` with `async def seed(session, region, report) -> None` that inserts
   the region's rows through `writing.create` (rows whose natural keys exist are skipped, the new
   ones are counted and audited as the system), drawing anything random from a
   `random.Random` seeded with a fixed string, so that a second run adds nothing and every run
   writes the same data;
2. put its data in `demo/<domain>.toml` (listed in pyproject's package-data);
3. append its `seed` to `loader.DOMAINS`, after the domains whose rows it reads.

Nothing but the CLI imports this package, and only when seeding: no domain imports it.
"""
