"""Download REGK31 and FOLK1A from Statistics Denmark's statbank API (api.statbank.dk).

The API's data function is `POST {base}/data` with a JSON body naming the table, the
format and a selection of values per variable (the documented way; the same can be
asked by GET `{base}/data/TABLE/CSV?...`). We ask for:

- REGK31: every municipality, FUNKTION `528*` and `538*` (all 5.28.xx and 5.38.xx
  functions the table has; `*` is the API's wildcard), DRANST 1, ART TOT,
  PRISENHED LOBM, one TID per year.
- FOLK1A: every municipality, ALDER 0-125 by single year, TID `YYYYK1` per year. KØN
  and CIVILSTAND are not named, so the API eliminates them to their totals and the
  file has no such columns.

Cells come as codes (valuePresentation=Code), in Danish, `;`-separated: the format that
`socialbench.dst` reads. The CSV format allows at most 1,000,000 cells per request;
98 municipalities x 126 ages x a decade is well below that.

A year the statbank does not have yet (accounts for year Y appear in the summer of Y+1)
makes the API answer an error naming the value; it is shown as it is, so lower --to-year.
Not confirmed against the live API (unreachable from our machines): that the `*`
wildcard, documented with time values such as `2023*`, works the same on FUNKTION.
"""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import requests

from socialbench import progress, reference
from socialbench.errors import SocialbenchError

DEFAULT_BASE_URL = "https://api.statbank.dk/v1"
ENV_VAR = "SOCIALBENCH_STATBANK_URL"
DEFAULT_FROM_YEAR = 2015
TIMEOUT_SECONDS = 120
MAX_AGE = 125


def base_url(explicit: str | None = None) -> str:
    """The API's base URL: the explicit one, else $SOCIALBENCH_STATBANK_URL, else the public API."""
    return (explicit or os.environ.get(ENV_VAR) or DEFAULT_BASE_URL).rstrip("/")


def year_range(from_year: int, to_year: int | None = None) -> list[int]:
    """Years from..to inclusive; `to` defaults to last year (the latest accounts published)."""
    to_year = to_year if to_year is not None else date.today().year - 1
    if from_year > to_year:
        raise SocialbenchError(f"--from-year {from_year} is after --to-year {to_year}")
    return list(range(from_year, to_year + 1))


def _municipalities() -> list[str]:
    return [str(code) for code in sorted(reference.municipality_codes())]


def _request(table: str, variables: dict[str, list[str]]) -> dict:
    return {
        "table": table,
        "format": "CSV",
        "lang": "da",
        "valuePresentation": "Code",
        "delimiter": "Semicolon",
        "variables": [{"code": code, "values": values} for code, values in variables.items()],
    }


def regk31_request(years: list[int]) -> dict:
    """Net operating expenditure (1,000 kr., current prices) on the 5.28 and 5.38 functions."""
    return _request("REGK31", {
        "OMRÅDE": _municipalities(),
        "FUNKTION": ["528*", "538*"],
        "DRANST": ["1"],
        "ART": ["TOT"],
        "PRISENHED": ["LOBM"],
        "Tid": [str(y) for y in years],
    })


def folk1a_request(years: list[int]) -> dict:
    """Population on 1 January (first quarter) by single year of age."""
    return _request("FOLK1A", {
        "OMRÅDE": _municipalities(),
        "ALDER": [str(a) for a in range(MAX_AGE + 1)],
        "Tid": [f"{y}K1" for y in years],
    })


def _reason(response: requests.Response) -> str:
    """The API's own words for an error (it answers JSON {errorTypeCode, message})."""
    try:
        body = response.json()
        text = body.get("message") or str(body)
    except ValueError:
        text = response.text
    text = " ".join(text.split())
    return text[:300] + ("..." if len(text) > 300 else "")


def download(url: str, request: dict, path: Path) -> Path:
    """POST one data request and write the answer, byte for byte, to `path`."""
    try:
        response = requests.post(url, json=request, timeout=TIMEOUT_SECONDS)
    except requests.RequestException as exc:
        raise SocialbenchError(
            f"cannot reach Statistics Denmark at {url} ({type(exc).__name__}): "
            "check the network, or pass --base-url / set $" + ENV_VAR
        ) from None
    if response.status_code != 200:
        raise SocialbenchError(
            f"{url} answered HTTP {response.status_code} for table {request['table']}: {_reason(response)}"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(response.content)
    partial.replace(path)
    return path


def fetch(out: Path, years: list[int], base: str | None = None) -> list[Path]:
    """Download REGK31 and FOLK1A for `years` into `out`/REGK31.csv and `out`/FOLK1A.csv."""
    url = f"{base_url(base)}/data"
    requests_ = [("REGK31", regk31_request(years)), ("FOLK1A", folk1a_request(years))]
    return [download(url, request, Path(out) / f"{table}.csv") for table, request in progress.track(requests_, "Downloading")]
