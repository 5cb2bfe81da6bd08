"""The demo data files beside this module, read into typed specs: the regions, their name pools
and the organisation every region gets (regions.toml, names.toml, organisation.toml)."""

import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from kinerja_api.models.org import AgencyKind, RegionKind


def read(name: str) -> dict[str, Any]:
    """One of the package's TOML data files, e.g. `read("feedback.toml")`."""
    return tomllib.loads(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))


class DemoDataError(Exception):
    """The demo data cannot be written as asked; the message is meant for the operator."""


@dataclass(frozen=True)
class RegionSpec:
    code: str
    name: str
    kind: RegionKind
    timezone: str
    # The region's own names filled into the organisation's {placeholders}.
    local: tuple[tuple[str, str], ...]
    # Family names where the local custom has them (Batak, Gorontalo); else second given names.
    family_names: tuple[str, ...] = ()
    male_second: tuple[str, ...] = ()
    female_second: tuple[str, ...] = ()


@dataclass(frozen=True)
class Post:
    """A position held by `count` people, with the posts reporting to each of them."""

    position: str
    grades: tuple[str, ...]
    pppk: bool = False
    count: int = 1
    prefix: str = ""
    suffix: str = ""
    sex: int | None = None
    reports: tuple["Post", ...] = ()


@dataclass(frozen=True)
class Unit:
    """An agency; its head reports to the head of the parent unit."""

    code: str
    name: str
    kind: AgencyKind
    head: Post
    children: tuple["Unit", ...] = ()


NAMES = read("names.toml")
ORGANISATION = read("organisation.toml")
MALE_GIVEN: tuple[str, ...] = tuple(NAMES["given"]["male"])
FEMALE_GIVEN: tuple[str, ...] = tuple(NAMES["given"]["female"])


def _region(entry: dict[str, Any]) -> RegionSpec:
    second = NAMES["second"].get(entry.get("second_names", ""), {})
    return RegionSpec(
        code=entry["code"],
        name=entry["name"],
        kind=RegionKind(entry["kind"]),
        timezone=entry["timezone"],
        local=tuple(entry["local"].items()),
        family_names=tuple(NAMES["family"].get(entry.get("family_names", ""), ())),
        male_second=tuple(second.get("male", ())),
        female_second=tuple(second.get("female", ())),
    )


REGIONS: tuple[RegionSpec, ...] = tuple(_region(entry) for entry in read("regions.toml")["regions"])


def _post(entry: dict[str, Any], local: dict[str, str], reports: tuple[Post, ...] = ()) -> Post:
    pppk = "pppk" in entry
    ladders = ORGANISATION["pppk_grades"] if pppk else ORGANISATION["grades"]
    return Post(
        position=entry["position"].format_map(local),
        grades=tuple(ladders[entry["pppk" if pppk else "grades"]]),
        pppk=pppk,
        count=entry.get("count", 1),
        prefix=entry.get("prefix", ""),
        suffix=entry.get("suffix", ""),
        sex=entry.get("sex"),
        reports=reports,
    )


def _head(entry: dict[str, Any], local: dict[str, str]) -> Post:
    """The head, with the deputy (when there is one) between them and the staff."""
    staff = tuple(_post(post, local) for post in entry.get("staff", ()))
    if "deputy" in entry:
        staff = (_post(entry["deputy"], local, staff),)
    return _post(entry["head"], local, staff)


def organisation(spec: RegionSpec) -> Unit:
    """The region's agency tree and its posts: Sekretariat Daerah at the root, dinas and
    bidang below."""
    local = dict(spec.local)
    entries = ORGANISATION["units"]

    def unit(entry: dict[str, Any]) -> Unit:
        children = tuple(unit(child) for child in entries if child.get("parent") == entry["code"])
        return Unit(
            code=entry["code"].format_map(local),
            name=entry["name"].format_map(local),
            kind=AgencyKind(entry["kind"].format_map(local)),
            head=_head(entry, local),
            children=children,
        )

    (root,) = (entry for entry in entries if "parent" not in entry)
    return unit(root)
