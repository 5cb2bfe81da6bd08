"""The complaints received in a period in SP4N-LAPOR!'s disposition shape: read in four
statements, then shaped (`_document`, pure)."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.principal import Principal
from kinerja_api.core.i18n import Msg
from kinerja_api.core.problems import field_problem
from kinerja_api.exchange.lapor import repository
from kinerja_api.exchange.lapor.schemas import (
    FORMAT,
    VERSION,
    LaporDisposisi,
    LaporDocument,
    LaporLaporan,
    LaporPeriode,
    LaporRiwayatStatus,
    LaporTindakLanjut,
    LaporUnit,
)
from kinerja_api.exchange.lapor.terms import CATEGORY, STATUS, title
from kinerja_api.feedback.api import grouped_code

# A year at most: the document is answered whole, so its size stays that of a year's complaints.
MAX_DAYS = 366
_ORDER = Msg(
    "Tanggal akhir harus sama dengan atau setelah tanggal awal.",
    "The last day must be on or after the first.",
)
_TOO_LONG = Msg(
    "Periode paling lama {days} hari; bagi ekspor dalam beberapa periode.",
    "A period spans at most {days} days; export it in several periods.",
)


def _check_period(received_from: date, received_to: date) -> None:
    if received_to < received_from:
        raise field_problem("query.received_to", _ORDER, code="before_start")
    if (received_to - received_from).days + 1 > MAX_DAYS:
        raise field_problem("query.received_to", _TOO_LONG, code="too_long", days=MAX_DAYS)


async def complaints_document(
    session: AsyncSession, principal: Principal, received_from: date, received_to: date
) -> LaporDocument:
    """`received_from` to `received_to`, both included, as days in the caller's region."""
    _check_period(received_from, received_to)
    assert principal.region_id is not None  # the route admits people of a region only
    region = await repository.region(session, principal.region_id)
    zone = ZoneInfo(region.timezone)
    start = datetime.combine(received_from, time(), zone)
    end = datetime.combine(received_to + timedelta(days=1), time(), zone)
    complaints = await repository.complaints(session, principal, start, end)
    ids = [complaint.id for complaint in complaints]
    trail: dict[str, list[Any]] = defaultdict(list)
    follow_ups: dict[str, list[Any]] = defaultdict(list)
    if ids:
        for change in await repository.trail(session, principal.region_id, ids):
            trail[change.entity_id].append(change)
        for answer in await repository.public_follow_ups(session, principal.region_id, ids):
            follow_ups[answer.complaint_id].append(answer)
    return LaporDocument(
        format=FORMAT,
        versi=VERSION,
        instansi=LaporUnit(kode=region.code, nama=region.name),
        periode=LaporPeriode(dari=received_from, sampai=received_to),
        laporan=[_report(c, trail, follow_ups, zone) for c in complaints],
    )


def _report(
    complaint: Any,
    trail: Mapping[str, Sequence[Any]],
    follow_ups: Mapping[str, Sequence[Any]],
    zone: ZoneInfo,
) -> LaporLaporan:
    changes = trail.get(str(complaint.id), ())
    return LaporLaporan(
        nomor_tiket=_ticket(complaint),
        judul=title(complaint.description),
        isi=complaint.description,
        kategori=CATEGORY[complaint.category],
        lokasi=complaint.location,
        tanggal_laporan=complaint.submitted_at.astimezone(zone),
        batas_waktu=complaint.due_at.astimezone(zone),
        status=STATUS[complaint.status],
        disposisi=_dispositions(changes, zone),
        riwayat_status=_statuses(changes, zone),
        tindak_lanjut=[
            LaporTindakLanjut(isi=answer.body, waktu=answer.created_at.astimezone(zone))
            for answer in follow_ups.get(str(complaint.id), ())
        ],
    )


def _ticket(complaint: Any) -> str:
    """A complaint that came from LAPOR! goes back under LAPOR!'s own number."""
    if complaint.external_reference is not None:
        return str(complaint.external_reference)
    return grouped_code(complaint.tracking_code)


# An audit row holds what a change changed, or (a change that changed no audited field, such as
# a response) the whole state again: a step is where the status, or the agency and service unit
# the complaint is with, differs from the one before.


def _statuses(changes: Sequence[Any], zone: ZoneInfo) -> list[LaporRiwayatStatus]:
    steps: list[LaporRiwayatStatus] = []
    for change in changes:
        if change.status is None:
            continue
        status = STATUS[change.status]
        if not steps or steps[-1].status != status:
            steps.append(
                LaporRiwayatStatus(status=status, waktu=change.occurred_at.astimezone(zone))
            )
    return steps


def _dispositions(changes: Sequence[Any], zone: ZoneInfo) -> list[LaporDisposisi]:
    steps: list[LaporDisposisi] = []
    agency: LaporUnit | None = None
    unit: LaporUnit | None = None
    for change in changes:
        if change.names_agency:
            agency = _unit(change.agency_code, change.agency_name)
        if change.names_unit:
            unit = _unit(change.unit_code, change.unit_name)
        if agency is None and unit is None:
            continue
        if steps and (steps[-1].instansi_tujuan, steps[-1].unit_layanan) == (agency, unit):
            continue
        steps.append(
            LaporDisposisi(
                instansi_tujuan=agency, unit_layanan=unit, waktu=change.occurred_at.astimezone(zone)
            )
        )
    return steps


def _unit(code: str | None, name: str | None) -> LaporUnit | None:
    return None if code is None or name is None else LaporUnit(kode=code, nama=name)
