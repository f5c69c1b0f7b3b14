"""The deploying region's kecamatan and kelurahan, from the `areaid` package.

Which regencies count as local comes from configuration (REGION_PROVINCE, REGION_REGENCIES
for the names areaid uses, REGION_REGENCY_CODES for the Kemendagri codes in a NIK), so any
regency can deploy BEBELI without code changes.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask import current_app


@dataclass(frozen=True)
class Kelurahan:
    name: str
    postal_code: str | None


@dataclass(frozen=True)
class Kecamatan:
    name: str
    regency: str
    kelurahan: tuple[Kelurahan, ...]

    def find_kelurahan(self, name: str | None) -> Kelurahan | None:
        return next((k for k in self.kelurahan if k.name == name), None)


@lru_cache(maxsize=8)
def _load(province: str, regencies: tuple[str, ...]) -> dict[str, Kecamatan]:
    import areaid

    data = areaid.buka_data(province.lower())
    wanted = {name.lower() for name in regencies}
    found: dict[str, Kecamatan] = {}
    for prov in data:
        for regency in prov["kabupaten"]:
            if regency["kab_kota"].lower() not in wanted:
                continue
            for kec in regency["kecamatan"]:
                kelurahan = tuple(
                    Kelurahan(k["kelu"], str(k["pos"]) if k.get("pos") else None)
                    for k in sorted(kec["kelurahan"], key=lambda k: k["kelu"])
                )
                found[kec["kec"]] = Kecamatan(kec["kec"], regency["kab_kota"], kelurahan)
    return dict(sorted(found.items()))


def region_kecamatan() -> dict[str, Kecamatan]:
    """Kecamatan of the configured regencies by name, sorted (names are unique within one
    regency and, in Bekasi, across both)."""
    cfg = current_app.config
    return _load(cfg["REGION_PROVINCE"], tuple(cfg["REGION_REGENCIES"]))


def find_kecamatan(name: str | None) -> Kecamatan | None:
    return region_kecamatan().get(name or "")


def kecamatan_choices() -> list[tuple[str, str]]:
    """(value, label) pairs for a select; the label names the regency when there are several."""
    several = len(current_app.config["REGION_REGENCIES"]) > 1
    return [
        (k.name, f"{k.name} ({k.regency})" if several else k.name) for k in region_kecamatan().values()
    ]


def kelurahan_options(kecamatan: str | None) -> list[dict[str, str]]:
    """The JSON the dependent select expects: [{"value": …, "label": …}]."""
    found = find_kecamatan(kecamatan)
    return [{"value": k.name, "label": k.name} for k in found.kelurahan] if found else []


def is_local_regency_code(code: str | None) -> bool:
    """A Kemendagri regency code ("32.16") belongs to the deploying region."""
    return bool(code) and code in current_app.config["REGION_REGENCY_CODES"]
