"""Reference data every database holds: the ISO 3166-1 countries and the CAMEO codes used."""

from __future__ import annotations

import pycountry
from countrycode import countrycode
from sqlmodel import Session

from tracker.cameo import load_cameo_events
from tracker.kinds.states import StateCreate
from tracker.records import save
from tracker.users import SYSTEM


def load_countries(*, session: Session) -> int:
    """Every current ISO 3166-1 country, with its short English name and its Correlates of War
    code where it has one; ISO's formal names become aliases. Returns how many were loaded."""
    countries = list(pycountry.countries)
    codes = [country.alpha_3 for country in countries]
    short_names = countrycode(codes, origin="iso3c", destination="country.name.en")
    cow_codes = countrycode(codes, origin="iso3c", destination="cown")
    for country, short_name, cow_code in zip(countries, short_names, cow_codes, strict=True):
        formal_names = {
            getattr(country, field, None) for field in ("name", "official_name", "common_name")
        }
        state = StateCreate(
            code=country.alpha_3,
            name=short_name or country.name,
            cow_code=cow_code,
            aliases=sorted(name for name in formal_names if name and name != short_name),
        )
        save(session=session, actor=SYSTEM, kind="state", record=state)
    return len(countries)


def load_reference(*, session: Session) -> dict[str, int]:
    """Store the reference data; returns how many rows of each kind it holds."""
    return {
        "states": load_countries(session=session),
        "cameo_events": load_cameo_events(session=session),
    }
