"""Training recommendations over HTTP: weak BerAKHLAK values of the latest closed 360° cycle
(only groups the results show count), a predikat calling for a development plan, the programs
of the suggested areas with their open sessions; readers, refusals and another region's 404."""

from datetime import timedelta

import httpx

from kinerja_api.core import clock
from tests.factories import World
from tests.training.helpers import Team, team

EMPLOYEES = "/api/v1/employees"


def url(employee: object) -> str:
    return f"{EMPLOYEES}/{employee.id}/training-recommendations"  # type: ignore[attr-defined]


async def _closed_cycle_with_weak_values(world: World, t: Team) -> object:
    period = await world.period(t.region, year=2026)
    cycle = await world.cycle(period, status="closed")
    await world.assignment(cycle, t.staff, t.boss, "supervisor", status="submitted")
    await world.response(cycle, t.staff, "supervisor", {"akuntabel": 2, "adaptif": 1, "loyal": 4})
    # two peers: under the threshold of 3, withheld, so their low `loyal` counts for nothing
    for _ in range(2):
        await world.response(cycle, t.staff, "peer", {"loyal": 1})
    return period


async def test_weak_values_suggest_active_programs_with_their_open_sessions(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    await _closed_cycle_with_weak_values(world, t)
    akuntabel = await world.program(
        t.region, name="Akuntabilitas Kinerja", competency_area="akuntabel"
    )
    await world.program(t.region, competency_area="adaptif", active=False)
    await world.program(t.region, competency_area="loyal")
    now = clock.utc_now()
    soon = await world.training_session(akuntabel, capacity=2, starts_at=now + timedelta(days=3))
    await world.enrollment(soon, t.colleague)
    await world.training_session(
        akuntabel, enrollment_closes_at=now - timedelta(hours=1), starts_at=now + timedelta(days=1)
    )
    await world.training_session(akuntabel, status="cancelled")

    response = await client.get(url(t.staff), headers=world.auth(t.staff_user))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["predicate"], body["development_plan_required"]) == (None, False)
    assert body["weak_values"] == [
        {"value": "adaptif", "mean": "1.00"},
        {"value": "akuntabel", "mean": "2.00"},
    ]
    assert [(s["area"], s["reason"], s["value"]) for s in body["suggestions"]] == [
        ("adaptif", "weak_value", "adaptif"),
        ("akuntabel", "weak_value", "akuntabel"),
    ]
    assert body["suggestions"][0]["programs"] == []
    [program] = body["suggestions"][1]["programs"]
    assert program["program_id"] == str(akuntabel.id)
    [session] = program["next_sessions"]
    assert (session["session_id"], session["seats_left"]) == (str(soon.id), 1)
    assert session["starts_at"].endswith("+07:00")


async def test_a_development_plan_predikat_suggests_from_the_matrix(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    teknis = await world.program(t.region, competency_area="teknis")
    old = await world.period(t.region, year=2025)
    await world.rating(old, t.staff, t.boss, "sangat_baik", status="locked")
    period = await world.period(t.region, year=2026)
    await world.rating(period, t.staff, t.boss, "butuh_perbaikan", status="locked")
    later = await world.period(t.region, year=2027)
    # a draft is not yet decided: it does not count
    await world.rating(later, t.staff, t.boss, "sangat_kurang")

    body = (await client.get(url(t.staff), headers=world.auth(t.boss_user))).json()
    assert (body["predicate"], body["development_plan_required"]) == ("butuh_perbaikan", True)
    assert [(s["area"], s["reason"]) for s in body["suggestions"]] == [
        ("teknis", "hasil_kerja_below")
    ]
    assert [p["program_id"] for p in body["suggestions"][0]["programs"]] == [str(teknis.id)]

    await world.rating(period, t.colleague, t.boss, "kurang", status="locked")
    kurang = (await client.get(url(t.colleague), headers=world.auth(t.admin))).json()
    assert {s["reason"] for s in kurang["suggestions"]} == {"perilaku_below"}
    assert len(kurang["suggestions"]) == 7


async def test_weak_values_with_a_weak_predikat_single_out_the_values(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    period = await _closed_cycle_with_weak_values(world, t)
    await world.rating(period, t.staff, t.boss, "sangat_kurang", status="locked")
    body = (await client.get(url(t.staff), headers=world.auth(t.agency_admin))).json()
    assert [(s["area"], s["reason"]) for s in body["suggestions"]] == [
        ("adaptif", "weak_value"),
        ("akuntabel", "weak_value"),
        ("teknis", "hasil_kerja_below"),
    ]


async def test_nothing_weak_suggests_nothing(client: httpx.AsyncClient, world: World) -> None:
    t = await team(world)
    period = await world.period(t.region, year=2026)
    await world.rating(period, t.staff, t.boss, "baik", status="locked")
    body = (await client.get(url(t.staff), headers=world.auth(t.region_admin))).json()
    assert (body["predicate"], body["suggestions"], body["weak_values"]) == ("baik", [], [])


async def test_who_reads_recommendations_and_another_region_404(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    for user in (t.staff_user, t.boss_user, t.agency_admin, t.admin, t.region_admin):
        response = await client.get(url(t.staff), headers=world.auth(user))
        assert response.status_code == 200, response.text
    for user in (t.colleague_user, t.outsider_user):
        assert (await client.get(url(t.staff), headers=world.auth(user))).status_code == 404
    for user in (t.auditor, t.complaint_officer):
        assert (await client.get(url(t.staff), headers=world.auth(user))).status_code == 403
    assert (await client.get(url(t.staff))).status_code == 401
    for user in (t.foreign_admin, t.foreign_employee_user):
        assert (await client.get(url(t.staff), headers=world.auth(user))).status_code == 404
