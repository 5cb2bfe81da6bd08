"""Public codes: service units, staff and complaint tracking codes.

Crockford's base-32 alphabet (no I, L, O or U) so that codes read aloud, typed from a poster or
copied by hand survive; input is normalised the same way (case, hyphens, O→0, I/L→1). Codes come
from `secrets`, never from a sequence, so knowing one code says nothing about any other.
"""

import secrets
from collections.abc import Collection

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BITS_PER_CHARACTER = 5
UNIT_CODE_LENGTH = 8
STAFF_CODE_LENGTH = 8
# 16 characters = 80 random bits: far beyond what rate-limited guessing could ever cover.
TRACKING_CODE_LENGTH = 16
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
CODE_ATTEMPTS = 5
PUBLIC_CODE_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z -]{2,30}$"


def random_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalize(code: str) -> str:
    """The stored form of a code as typed by a person."""
    return code.upper().replace("-", "").replace(" ", "").translate(_CONFUSABLE)


def grouped(code: str, size: int = 4) -> str:
    """`ABCD-EFGH-…`: the form printed and shown to citizens."""
    return "-".join(code[i : i + size] for i in range(0, len(code), size))


async def insert_with_code(
    session: AsyncSession,
    entity: object,
    length: int,
    unique_indexes: Collection[str],
    attribute: str = "code",
) -> None:
    """Adds `entity` with a fresh random code in `attribute`, drawing again on the rare clash
    with an existing code (named by `unique_indexes`)."""
    for attempt in range(CODE_ATTEMPTS):
        setattr(entity, attribute, random_code(length))
        try:
            async with session.begin_nested():
                session.add(entity)
                await session.flush()
            return
        except IntegrityError as exc:
            clash = any(index in str(exc.orig) for index in unique_indexes)
            if not clash or attempt == CODE_ATTEMPTS - 1:
                raise
