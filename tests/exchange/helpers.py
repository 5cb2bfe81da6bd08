"""An agency of a region as the exchange formats' example files describe it: a health office
(Dinas Kesehatan) with a community health centre (Puskesmas) below it, its head and one of
the centre's staff, their approved plans for 2026 (the staff's RHK intervening in the head's),
verified progress and the staff's locked rating. Generated codes and NIPs are mapped onto the
example's (`Example.spelled_as_example`)."""

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert, update

from kinerja_api.models.org import Agency, Employee, Region
from kinerja_api.models.plans import Plan
from kinerja_api.models.progress import ProgressReport
from tests.factories import World

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "exchange"


def example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


@dataclass
class Example:
    region: Any
    office: Any
    centre: Any
    other_agency: Any
    head: Any
    staff: Any
    period: Any
    head_plan: Any
    staff_plan: Any
    # generated value -> the example file's spelling
    spellings: dict[str, str] = field(default_factory=dict)

    def spelled_as_example(self, document: Any) -> Any:
        text = json.dumps(document, ensure_ascii=False)
        for generated, spelled in self.spellings.items():
            text = text.replace(f'"{generated}"', f'"{spelled}"')
        return json.loads(text)


async def _rename(world: World, model: Any, row: Any, **values: Any) -> None:
    await world.connection.execute(update(model).where(model.id == row.id).values(**values))


async def _report(world: World, indicator: Any, employee: Any, value: str, day: date) -> None:
    await world.connection.execute(
        insert(ProgressReport).values(
            region_id=indicator.region_id,
            plan_id=indicator.plan_id,
            target_id=indicator.target_id,
            indicator_id=indicator.id,
            employee_id=employee.id,
            agency_id=employee.agency_id,
            value=Decimal(value),
            reported_for=day,
            year=day.year,
            quarter=(day.month - 1) // 3 + 1,
            status="accepted",
        )
    )


async def health_office(world: World) -> Example:
    region = await world.region()
    office = await world.agency(region)
    centre = await world.agency(region, parent=office)
    other_agency = await world.agency(region)
    head = await world.employee(region, office)
    staff = await world.employee(region, centre, supervisor=head)
    await _rename(world, Region, region, name="Kabupaten Bungo")
    await _rename(world, Agency, office, name="Dinas Kesehatan")
    await _rename(world, Agency, centre, name="Puskesmas Muara Bungo")
    await _rename(
        world,
        Employee,
        head,
        name="dr. Hendra Gunawan, M.Kes.",
        position="Kepala Dinas Kesehatan",
        grade="IV/c",
    )
    await _rename(
        world,
        Employee,
        staff,
        name="Siti Rahmawati, S.Kep.",
        position="Perawat Ahli Pertama",
        grade="III/a",
    )
    period = await world.period(region, year=2026)
    approved = datetime(2026, 1, 20, 17, 30, tzinfo=UTC)  # 21 January, 00:30 in WIB
    head_plan = await world.plan(period, head, status="approved")
    staff_plan = await world.plan(period, staff, status="approved", approver_id=head.id)
    for plan in (head_plan, staff_plan):
        await _rename(world, Plan, plan, approved_at=approved)
    head_target = await world.target(
        head_plan, title="Meningkatnya cakupan imunisasi dasar lengkap"
    )
    await world.indicator(
        head_target,
        target_value=95,
        aggregation="latest",
        description="Persentase bayi yang mendapat imunisasi dasar lengkap",
        unit="persen",
    )
    staff_target = await world.target(
        staff_plan,
        title="Terlaksananya imunisasi bayi di wilayah kerja puskesmas",
        parent_target_id=head_target.id,
        cascade_mode="direct",
        position=1,
    )
    doses = await world.indicator(
        staff_target,
        target_value=480,
        description="Jumlah bayi yang diimunisasi",
        unit="bayi",
        position=1,
    )
    reports_on_time = await world.indicator(
        staff_target,
        target_value=12,
        aspect="waktu",
        description="Laporan bulanan imunisasi yang disampaikan tepat waktu",
        unit="laporan",
        position=2,
    )
    extra = await world.target(
        staff_plan, kind="tambahan", title="Penyuluhan gizi balita", position=2
    )
    await world.indicator(
        extra, target_value=4, description="Kegiatan penyuluhan terlaksana", unit="kegiatan"
    )
    await _report(world, doses, staff, "130", date(2026, 3, 31))
    await _report(world, doses, staff, "118", date(2026, 6, 30))
    await _report(world, reports_on_time, staff, "3", date(2026, 3, 31))
    await _report(world, reports_on_time, staff, "3", date(2026, 6, 30))
    await world.rating(period, staff, head, "baik", plan=staff_plan, status="locked")
    spellings = {
        region.code: "bungo",
        office.code: "dinkes",
        centre.code: "pkm-muara-bungo",
        head.nip: "197205121998031004",
        staff.nip: "199208172019032011",
    }
    return Example(
        region,
        office,
        centre,
        other_agency,
        head,
        staff,
        period,
        head_plan,
        staff_plan,
        spellings,
    )
