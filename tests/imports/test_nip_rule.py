"""The NIP rule as imports check it in SQL says what the Python rule (org's `nip_error`) says,
NIP for NIP."""

from datetime import date

from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import Date, String

from kinerja_api.models.org import EmploymentType
from kinerja_api.org.employees.nip import NIP_PROBLEMS, nip_error, nip_problem_sql

TODAY = date(2026, 6, 15)
SAMPLES = [
    "198503142010011001",  # valid
    "198503142010012001",  # valid, female
    "19850314201001100",  # 17 digits
    "1985031420100110011",  # 19 digits
    "19850314201001100a",
    "198513142010011001",  # month 13
    "198502302010011001",  # 30 February
    "200002292018011001",  # 29 February of a leap year, 18 in 2018
    "190002292010011001",  # 29 February 1900: not a leap year
    "000001012010011001",  # year 0
    "198503142010001001",  # appointment month 0
    "198503140000011001",  # appointment year 0
    "198503142026071001",  # appointed next month
    "198503142026061001",  # appointed this month
    "200703142025021001",  # appointed before turning 18 (March 2025)
    "200703142025031001",  # appointed the month of turning 18
    "198503142010013001",  # sex digit 3
    "198503002010011001",  # day 0
]


async def test_sql_and_python_agree_on_every_sample(connection: AsyncConnection) -> None:
    expression = nip_problem_sql(":nip", ":employment_type", ":today")
    query = text(f"select {expression}").bindparams(
        bindparam("nip", type_=String),
        bindparam("employment_type", type_=String),
        bindparam("today", type_=Date),
    )
    by_message = {message: key for key, message in NIP_PROBLEMS.items()}
    for employment_type in EmploymentType:
        for nip in SAMPLES:
            in_sql = await connection.scalar(
                query, {"nip": nip, "employment_type": employment_type.value, "today": TODAY}
            )
            error = nip_error(nip, employment_type, TODAY)
            in_python = None if error is None else by_message[error]
            assert in_sql == in_python, (nip, employment_type)
    assert (
        await connection.scalar(query, {"nip": None, "employment_type": "pns", "today": TODAY})
        is None
    )
