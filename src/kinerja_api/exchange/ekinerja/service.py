"""The e-Kinerja SKP document of an agency subtree in a period: read in a fixed number of
statements, then shaped (`document`, pure)."""

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import not_found
from kinerja_api.auth.principal import Principal
from kinerja_api.exchange.ekinerja import repository
from kinerja_api.exchange.ekinerja.schemas import (
    FORMAT,
    VERSION,
    EKinerjaCapaianTriwulan,
    EKinerjaDocument,
    EKinerjaIndikator,
    EKinerjaIntervensi,
    EKinerjaPegawai,
    EKinerjaPejabatPenilai,
    EKinerjaPredikat,
    EKinerjaRealisasiTriwulan,
    EKinerjaRhk,
    EKinerjaSkp,
    EKinerjaUnit,
)
from kinerja_api.plans.api import (
    PlanAchievement,
    TargetAchievement,
    plans_achievement,
    targets_achievement,
)

_STATUS = {
    "draft": "konsep",
    "submitted": "diajukan",
    "approved": "disetujui",
    "returned": "dikembalikan",
}
_LEVEL = {
    "above": "diatas_ekspektasi",
    "meets": "sesuai_ekspektasi",
    "below": "dibawah_ekspektasi",
}
_CASCADE = {"direct": "langsung", "indirect": "tidak_langsung"}
_EMPLOYMENT = {"pns": "PNS", "pppk": "PPPK"}


def _number(value: Decimal | None) -> Decimal | None:
    """A stored quantity as people write it: 95, not 95.0000 (the column keeps four places)."""
    return None if value is None else value.normalize()


async def skp_document(
    session: AsyncSession, principal: Principal, agency_id: uuid.UUID, period_id: uuid.UUID
) -> EKinerjaDocument:
    root = await repository.root(session, principal, agency_id, period_id)
    if root is None:
        raise not_found("Agency or period")
    plans = await repository.plans(session, principal, period_id, root.path)
    if not plans:
        return _document(root, [], {}, {}, {}, {}, {})
    region_id = plans[0].region_id
    plan_ids = [plan.id for plan in plans]
    targets = await repository.targets(session, region_id, plan_ids)
    indicators = await repository.indicators(session, region_id, plan_ids)
    ratings = {r.plan_id: r for r in await repository.locked_ratings(session, region_id, plan_ids)}
    by_plan: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for target in targets:
        by_plan[target.plan_id].append(target)
    by_target: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for indicator in indicators:
        by_target[indicator.target_id].append(indicator)
    return _document(
        root,
        plans,
        by_plan,
        by_target,
        await plans_achievement(session, plans),
        await targets_achievement(session, targets),
        ratings,
    )


def _document(
    root: Any,
    plans: Sequence[Any],
    targets: Mapping[uuid.UUID, Sequence[Any]],
    indicators: Mapping[uuid.UUID, Sequence[Any]],
    plan_figures: Mapping[uuid.UUID, PlanAchievement],
    target_figures: Mapping[uuid.UUID, TargetAchievement],
    ratings: Mapping[uuid.UUID, Any],
) -> EKinerjaDocument:
    zone = ZoneInfo(root.timezone)
    return EKinerjaDocument(
        format=FORMAT,
        versi=VERSION,
        tahun=root.year,
        instansi=EKinerjaUnit(kode=root.region_code, nama=root.region_name),
        unit_kerja=EKinerjaUnit(kode=root.agency_code, nama=root.agency_name),
        skp=[
            _skp(
                plan,
                targets.get(plan.id, ()),
                indicators,
                plan_figures[plan.id],
                target_figures,
                ratings.get(plan.id),
                zone,
            )
            for plan in plans
        ],
    )


def _skp(
    plan: Any,
    targets: Sequence[Any],
    indicators: Mapping[uuid.UUID, Sequence[Any]],
    figures: PlanAchievement,
    target_figures: Mapping[uuid.UUID, TargetAchievement],
    rating: Any,
    zone: ZoneInfo,
) -> EKinerjaSkp:
    return EKinerjaSkp(
        pegawai=EKinerjaPegawai(
            nip=plan.nip,
            nama=plan.name,
            jabatan=plan.position,
            golongan=plan.grade,
            jenis_pegawai=_EMPLOYMENT[plan.employment_type],
            unit_kerja=EKinerjaUnit(kode=plan.agency_code, nama=plan.agency_name),
        ),
        pejabat_penilai=None
        if plan.approver_nip is None
        else EKinerjaPejabatPenilai(
            nip=plan.approver_nip, nama=plan.approver_name, jabatan=plan.approver_position
        ),
        status=_STATUS[plan.status],
        revisi=plan.revision,
        disetujui_pada=None
        if plan.approved_at is None
        else plan.approved_at.astimezone(zone).date(),
        capaian_persen=figures.percent,
        capaian_triwulan=[
            EKinerjaCapaianTriwulan(
                triwulan=q.quarter, capaian_persen=q.percent, capaian_kumulatif_persen=q.ytd_percent
            )
            for q in figures.quarters
        ],
        rencana_hasil_kerja=[
            _rhk(number, target, indicators.get(target.id, ()), target_figures[target.id])
            for number, target in enumerate(targets, start=1)
        ],
        predikat_tahunan=None
        if rating is None
        else EKinerjaPredikat(
            rating_hasil_kerja=_LEVEL[rating.hasil_kerja],
            rating_perilaku_kerja=_LEVEL[rating.perilaku],
            predikat=rating.predicate,
        ),
    )


def _rhk(
    number: int, target: Any, indicators: Sequence[Any], figures: TargetAchievement
) -> EKinerjaRhk:
    achieved = {figure.indicator_id: figure for figure in figures.indicators}
    return EKinerjaRhk(
        urutan=number,
        jenis=target.kind,
        rhk=target.title,
        intervensi=None
        if target.parent_title is None
        else EKinerjaIntervensi(
            nip_atasan=target.parent_nip,
            rhk_atasan=target.parent_title,
            jenis=_CASCADE[target.cascade_mode or "indirect"],
        ),
        capaian_persen=figures.percent,
        indikator=[
            EKinerjaIndikator(
                aspek=indicator.aspect,
                indikator=indicator.description,
                target=indicator.target_value.normalize(),
                satuan=indicator.unit,
                realisasi=_number(achieved[indicator.id].achieved_value),
                capaian_persen=achieved[indicator.id].percent,
                triwulan=[
                    EKinerjaRealisasiTriwulan(
                        triwulan=q.quarter,
                        realisasi=_number(q.achieved_value),
                        capaian_persen=q.percent,
                        capaian_kumulatif_persen=q.ytd_percent,
                    )
                    for q in achieved[indicator.id].quarters
                ],
            )
            for indicator in indicators
        ],
    )
