"""Statistics Denmark (statbank) exports: REGK31 expenditure and FOLK1A population.

`socialbench load-dst FILE` reads a CSV export of the statbank API (api.statbank.dk/v1/data
with format CSV or BULK; the pivoted tables that statistikbanken.dk's web pages save are
another layout and are not read), recognises the table from its header and loads it like
a tidy CSV file: the same marshmallow validation, the same reference checks, all or
nothing, upsert (`socialbench.loading`).

The export format, as documented by Statistics Denmark and seen in published examples:

- UTF-8 with a byte-order mark (BULK has none: both are read), fields separated by `;`,
  line ends CRLF or LF (a quoted field is read too).
- One header row naming the table's variables by their codes in upper case (the time
  variable `Tid` is written `TID`), then the value column INDHOLD:
      REGK31  OMRÅDE;FUNKTION;DRANST;ART;PRISENHED;TID;INDHOLD
      FOLK1A  OMRÅDE;KØN;ALDER;CIVILSTAND;TID;INDHOLD
  A variable left out of the request is eliminated (summed to its total) and has no
  column, so FOLK1A may come as `OMRÅDE;ALDER;TID;INDHOLD` (that is what fetch-dst asks for).
- Numbers have a decimal comma and no thousands separator; a missing value is `..`,
  `.`, `x` or `-` (such rows are skipped: no row is stored).
- Cells hold codes (valuePresentation=Code) or Danish labels (the default):

      OMRÅDE      101, 000, 084, 910  København, Hele landet, Region Hovedstaden,
                                      Hovedstadskommuner
      FUNKTION    52822 (2201 is      5.28.22 Plejefamilier
                  0.22.01)
      DRANST      1                   1 Driftskonti
      ART         TOT                 I alt (netto)
      PRISENHED   LOBM                Løbende priser (1.000 kr.)
      KØN         TOT, 1, 2           I alt, Mænd, Kvinder
      ALDER       IALT, 0 ... 125     Alder i alt, 0 år ... 125 år
      CIVILSTAND  TOT, U, G, E, F     I alt, Ugift, Gift/separeret, Enke/enkemand, Fraskilt
      TID         2024 (REGK31), 2024K1 (FOLK1A): the same in both presentations

How rows become warehouse rows:

- REGK31 -> `expenditure`: only DRANST 1 (operating), ART TOT (net), PRISENHED LOBM
  (current prices, 1,000 kr.); any other value is an error, since it would be stored as
  something it is not. amount_dkk = INDHOLD x 1000 exactly, kind 'actual'. Functions
  5.28.xx and 5.38.xx are kept; other functions are skipped and counted; a 5.28/5.38
  function missing from the chart-of-accounts mapping is an error.
- FOLK1A -> `population`: persons on 1 January = the first quarter (K1); other quarters
  are skipped. KØN and CIVILSTAND, when present, are summed: if the file holds a
  dimension's total (`TOT`/`I alt`) that total is used, else its parts are added up.
- Totals and areas that are not municipalities are skipped and counted: Hele landet
  (000), the regions (081-085), Statistics Denmark's municipality groups (910-960,
  Hovedstadskommuner ...), Christiansø (411, administered by the state), and total ages.

Uncertain details (not confirmed against a live download, which our machines cannot
reach): the labels of DRANST, ART and PRISENHED above come from the statbank's table
metadata as quoted by third parties; the CodeAndValue presentation (`101 København`)
and English labels (lang=en) are not read. A file using them is rejected with a
problem per cell, never loaded wrongly.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from socialbench import loading, progress, reference
from socialbench.errors import InputError, Problem, SocialbenchError

MISSING_VALUES = {"..", ".", "x", "-"}

# Areas in the statbank's OMRÅDE that are not one of the 98 municipalities.
TOTAL_AREA_CODES = {0, 81, 82, 83, 84, 85, 910, 920, 930, 940, 960}
TOTAL_AREA_LABELS = {
    "Hele landet",
    "Hovedstadskommuner",
    "Storbykommuner",
    "Provinsbykommuner",
    "Oplandskommuner",
    "Landkommuner",
}
NOT_MUNICIPALITIES = {411: "Christiansø"}

# REGK31 measures that socialbench loads: value -> accepted spellings (code, label).
REGK31_MEASURE = {
    "DRANST": ("1", "1 Driftskonti"),
    "ART": ("TOT", "I alt (netto)"),
    "PRISENHED": ("LOBM", "Løbende priser (1.000 kr.)"),
}
KEPT_MAIN_FUNCTIONS = ("5.28", "5.38")

# FOLK1A dimensions that are summed away: code -> label, the total first.
SUMMED_DIMENSIONS = {
    "KØN": {"TOT": "I alt", "1": "Mænd", "2": "Kvinder"},
    "CIVILSTAND": {"TOT": "I alt", "U": "Ugift", "G": "Gift/separeret", "E": "Enke/enkemand", "F": "Fraskilt"},
}
AGE_TOTALS = {"IALT", "Alder i alt"}

TABLES = {
    "REGK31": ("OMRÅDE", "FUNKTION", "DRANST", "ART", "PRISENHED", "TID", "INDHOLD"),
    "FOLK1A": ("OMRÅDE", "ALDER", "TID", "INDHOLD"),
}
OPTIONAL_COLUMNS = {"REGK31": (), "FOLK1A": tuple(SUMMED_DIMENSIONS)}
TARGET = {"REGK31": "expenditure", "FOLK1A": "population"}

# Warehouse column -> the statbank column it comes from (for problem messages).
SOURCE_COLUMN = {
    "municipality_code": "OMRÅDE",
    "year": "TID",
    "function_code": "FUNKTION",
    "amount_dkk": "INDHOLD",
    "age": "ALDER",
    "persons": "INDHOLD",
}

# Reasons a row is skipped, as printed.
TOTAL = "total rows"
NOT_MUNICIPALITY = "areas that are not municipalities"
MISSING = "missing values"
OTHER_FUNCTION = "rows of other functions than 5.28/5.38"
OTHER_QUARTER = "rows of other quarters than K1"
COUNTED_IN_TOTAL = "rows already counted in a total of the file"

AREA_CODE = re.compile(r"\d{1,3}")
FUNCTION_CODE = re.compile(r"\d{4,5}")  # 52822; main account 0 loses its leading zero: 2201
FUNCTION_LABEL = re.compile(r"(\d\.\d{2}\.\d{2})(\s|$)")  # 5.28.22 Plejefamilier
AGE = re.compile(r"(\d{1,3})( år)?")
YEAR = re.compile(r"\d{4}")
QUARTER = re.compile(r"(\d{4})K([1-4])")
NUMBER = re.compile(r"-?\d+(,\d+)?")


class CellError(ValueError):
    """A cell that cannot be read; the message says why."""


class Skip(Exception):
    """A row that is deliberately not loaded; the message is the reason."""


@dataclass
class Export:
    """A statbank CSV export read as text: the table it is and its rows by line number."""

    path: Path
    table: str
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]
    problems: list[Problem]  # rows with the wrong number of fields


@dataclass
class Parsed:
    """Records ready for validation, what was skipped and what is wrong."""

    table: str
    records: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


@dataclass
class DstLoad:
    """What a load-dst did: the table read, the warehouse table written, rows, skips."""

    table: str
    target: str
    loaded: int
    skipped: dict[str, int]

    def summary(self) -> str:
        skipped = ", ".join(f"{n} {reason}" for reason, n in self.skipped.items())
        return f"{self.target}: {self.loaded} rows loaded from {self.table}" + (f" (skipped {skipped})" if skipped else "")


# ---------------------------------------------------------------- reading the file


def read_export(path: Path) -> Export:
    """Read a statbank CSV export and recognise its table from the header row."""
    source = str(path)
    if not path.is_file():
        raise SocialbenchError(f"{path}: no such file")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(source, raw[: exc.start].count(b"\n") + 1, None, "not UTF-8 text")])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    header = [h.strip().upper() for h in next(reader, [])]
    table = "REGK31" if "FUNKTION" in header else "FOLK1A" if "ALDER" in header else None
    if table is None:
        raise InputError([Problem(
            source, 1, None,
            "not a REGK31 or FOLK1A statbank export: expected a ';'-separated header such as "
            f"{';'.join(TABLES['REGK31'])} or {';'.join(TABLES['FOLK1A'])}, found {';'.join(header) or 'nothing'}",
        )])
    allowed = TABLES[table] + OPTIONAL_COLUMNS[table]
    problems = [Problem(source, 1, c, f"missing column in a {table} export") for c in TABLES[table] if c not in header]
    problems += [Problem(source, 1, c or "(blank)", f"unexpected column in a {table} export") for c in header if c not in allowed]
    problems += [Problem(source, 1, c, "column appears twice") for c in sorted(set(header)) if header.count(c) > 1]
    if problems:
        raise InputError(problems)
    rows = []
    line = reader.line_num + 1
    for row in reader:
        if not any(cell.strip() for cell in row):
            pass  # a blank line
        elif len(row) != len(header):
            problems.append(Problem(source, line, None, f"{len(row)} fields, expected {len(header)}"))
        else:
            rows.append((line, {col: cell.strip() for col, cell in zip(header, row)}))
        line = reader.line_num + 1
    return Export(path, table, header, rows, problems)


# ---------------------------------------------------------------- reading one cell


@lru_cache(maxsize=None)
def _municipalities_by_name() -> dict[str, int]:
    frame = reference.frame("municipality")
    return dict(zip(frame["municipality_name"], frame["municipality_code"]))


def municipality(cell: str) -> int:
    """OMRÅDE as a municipality code; raises Skip for totals and non-municipalities."""
    if AREA_CODE.fullmatch(cell):
        code = int(cell)
    elif cell in TOTAL_AREA_LABELS or cell.startswith("Region "):
        raise Skip(TOTAL)
    elif cell in NOT_MUNICIPALITIES.values():
        raise Skip(NOT_MUNICIPALITY)
    elif cell in _municipalities_by_name():
        return _municipalities_by_name()[cell]
    else:
        raise CellError(f"unknown municipality {cell!r}")
    if code in TOTAL_AREA_CODES:
        raise Skip(TOTAL)
    if code in NOT_MUNICIPALITIES:
        raise Skip(NOT_MUNICIPALITY)
    return code  # an unknown code is reported by the reference check of the load


def function_code(cell: str) -> str:
    """FUNKTION (`52822` or `5.28.22 Plejefamilier`) as `5.28.22`; Skip for other main accounts."""
    if FUNCTION_CODE.fullmatch(cell):
        digits = cell.zfill(5)
        code = f"{digits[0]}.{digits[1:3]}.{digits[3:]}"
    else:
        match = FUNCTION_LABEL.match(cell)
        if not match:
            raise CellError(f"not a function code or label: {cell!r}")
        code = match.group(1)
    if not code.startswith(tuple(main + "." for main in KEPT_MAIN_FUNCTIONS)):
        raise Skip(OTHER_FUNCTION)
    return code  # a 5.28/5.38 function missing from the mapping is reported by the load


def age(cell: str) -> int:
    """ALDER (`7` or `7 år`) as years; Skip for the total."""
    if cell in AGE_TOTALS:
        raise Skip(TOTAL)
    match = AGE.fullmatch(cell)
    if not match:
        raise CellError(f"not an age: {cell!r}")
    return int(match.group(1))


def year(cell: str) -> int:
    """REGK31's TID: a year such as 2024."""
    if not YEAR.fullmatch(cell):
        raise CellError(f"expected a year such as 2024, not {cell!r}")
    return int(cell)


def first_quarter_year(cell: str) -> int:
    """FOLK1A's TID (`2024K1`): the year whose 1 January it counts; Skip for K2-K4."""
    match = QUARTER.fullmatch(cell)
    if not match:
        raise CellError(f"expected a quarter such as 2024K1, not {cell!r}")
    if match.group(2) != "1":
        raise Skip(OTHER_QUARTER)
    return int(match.group(1))


def value(cell: str) -> Decimal:
    """INDHOLD with a decimal comma; Skip for a missing value."""
    if cell in MISSING_VALUES:
        raise Skip(MISSING)
    if not NUMBER.fullmatch(cell):
        raise CellError(f"not a number: {cell!r}")
    return Decimal(cell.replace(",", "."))


def persons(cell: str) -> Decimal:
    """FOLK1A's INDHOLD: a whole number of persons; Skip for a missing value."""
    number = value(cell)
    if number != number.to_integral_value():
        raise CellError(f"not a whole number of persons: {cell!r}")
    return number


def measure(column: str, cell: str) -> None:
    """DRANST, ART or PRISENHED must be the one socialbench loads."""
    if cell not in REGK31_MEASURE[column]:
        code, label = REGK31_MEASURE[column]
        raise CellError(
            f"expected {code} ({label}), not {cell!r}: load-dst takes net operating expenditure "
            "in current prices only (DRANST=1, ART=TOT, PRISENHED=LOBM)"
        )


def summed_part(column: str, cell: str) -> str:
    """A KØN or CIVILSTAND cell as its code (`TOT` for the total)."""
    codes = SUMMED_DIMENSIONS[column]
    if cell in codes:
        return cell
    for code, label in codes.items():
        if cell == label:
            return code
    raise CellError(f"unknown value {cell!r} (expected one of {', '.join(codes)} or {', '.join(codes.values())})")


def _text(number: Decimal) -> str:
    return str(int(number)) if number == number.to_integral_value() else format(number, "f")


# ---------------------------------------------------------------- one function per table


def _read_row(
    parsed: Parsed, source: str, line: int, cells: dict[str, str], readers: dict[str, Callable[[str], object]]
) -> dict | None:
    """Apply a reader to each named cell; None if the row is skipped or has problems."""
    out, skip, bad = {}, None, False
    for column, read in readers.items():
        try:
            out[column] = read(cells[column])
        except CellError as error:
            parsed.problems.append(Problem(source, line, column, str(error)))
            bad = True
        except Skip as reason:
            skip = skip or str(reason)
    if bad:
        return None
    if skip:
        parsed.skip(skip)
        return None
    return out


def _duplicate(parsed: Parsed, seen: dict, key: tuple, export: Export, line: int) -> bool:
    if key in seen:
        parsed.problems.append(Problem(str(export.path), line, None, f"the same cell as line {seen[key]}"))
        return True
    seen[key] = line
    return False


def regk31_records(export: Export) -> Parsed:
    """REGK31 rows -> expenditure records (amount in kroner, kind 'actual')."""
    parsed = Parsed("REGK31")
    readers = {
        "OMRÅDE": municipality,
        "FUNKTION": function_code,
        "DRANST": lambda c: measure("DRANST", c),
        "ART": lambda c: measure("ART", c),
        "PRISENHED": lambda c: measure("PRISENHED", c),
        "TID": year,
        "INDHOLD": value,
    }
    seen: dict[tuple, int] = {}
    for line, cells in progress.track(export.rows, f"Reading {export.path.name}"):
        row = _read_row(parsed, str(export.path), line, cells, readers)
        if row is None or _duplicate(parsed, seen, (row["OMRÅDE"], row["TID"], row["FUNKTION"]), export, line):
            continue
        parsed.records.append((line, {
            "municipality_code": str(row["OMRÅDE"]),
            "year": str(row["TID"]),
            "function_code": row["FUNKTION"],
            "kind": "actual",
            "amount_dkk": _text(row["INDHOLD"] * 1000),  # 1,000 kr. -> kr.
        }))
    return parsed


def folk1a_records(export: Export) -> Parsed:
    """FOLK1A rows -> population records on 1 January, summed over sex and marital status."""
    parsed = Parsed("FOLK1A")
    summed = [c for c in SUMMED_DIMENSIONS if c in export.columns]
    readers = {"OMRÅDE": municipality, "ALDER": age, "TID": first_quarter_year, "INDHOLD": persons}
    readers |= {c: (lambda cell, c=c: summed_part(c, cell)) for c in summed}
    rows = []
    for line, cells in progress.track(export.rows, f"Reading {export.path.name}"):
        row = _read_row(parsed, str(export.path), line, cells, readers)
        if row is not None:
            rows.append((line, row))
    # Per dimension: use its total when the file has one, else add up its parts.
    use_total = {c: any(row[c] == "TOT" for _, row in rows) for c in summed}
    totals: dict[tuple[int, int, int], tuple[int, Decimal]] = {}
    seen: dict[tuple, int] = {}
    for line, row in rows:
        if any(use_total[c] and row[c] != "TOT" for c in summed):
            parsed.skip(COUNTED_IN_TOTAL)
            continue
        key = (row["OMRÅDE"], row["TID"], row["ALDER"])
        if _duplicate(parsed, seen, key + tuple(row[c] for c in summed), export, line):
            continue
        first_line, total = totals.get(key, (line, Decimal(0)))
        totals[key] = (first_line, total + row["INDHOLD"])
    for (code, year_, age_), (line, total) in totals.items():
        parsed.records.append((line, {
            "municipality_code": str(code), "year": str(year_), "age": str(age_), "persons": _text(total),
        }))
    return parsed


RECORDS = {"REGK31": regk31_records, "FOLK1A": folk1a_records}


# ---------------------------------------------------------------- loading


def parse(path: Path) -> Parsed:
    """Read a statbank export into warehouse records (not yet validated)."""
    export = read_export(Path(path))
    parsed = RECORDS[export.table](export)
    parsed.problems[:0] = export.problems
    return parsed


def _in_statbank_terms(problem: Problem, source: str) -> Problem:
    """Name the statbank column (INDHOLD) rather than the warehouse column (amount_dkk)."""
    if problem.file != source or problem.column is None:
        return problem
    columns = [SOURCE_COLUMN.get(c, c) for c in problem.column.split(",")]
    return Problem(problem.file, problem.line, ",".join(dict.fromkeys(columns)), problem.message)


def load_dst(engine, path: Path) -> DstLoad:
    """Load one REGK31 or FOLK1A export, all or nothing (InputError lists every problem)."""
    return load_dst_files(engine, [path])[0]


def load_dst_files(engine, paths: list[Path]) -> list[DstLoad]:
    """Load several exports in one transaction: all of them, or nothing."""
    batch, problems, loads = [], [], []
    for path in map(Path, paths):
        parsed = parse(path)
        target = TARGET[parsed.table]
        rows, row_problems = loading.validate_records(target, str(path), parsed.records)
        rows.description = f"Danmarks Statistik, {parsed.table} ({path.name})"
        batch.append(rows)
        problems += parsed.problems + row_problems
        loads.append((parsed, target, rows))
    try:
        loading.load_batch(engine, batch, problems)
    except InputError as error:
        sources = {str(Path(p)) for p in paths}
        raise InputError(
            [_in_statbank_terms(p, p.file) if p.file in sources else p for p in error.problems]
        ) from None
    return [DstLoad(parsed.table, target, len(rows.frame), parsed.skipped) for parsed, target, rows in loads]

