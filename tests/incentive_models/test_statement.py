"""Provider statements: CSV, XLSX and PDF, read back and checked against the arithmetic."""
from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import zlib
from decimal import Decimal as D

import pandas as pd
import pytest

from incentive_models import runs, statement
from socialbench import warehouse
from socialbench.errors import SocialbenchError
from tests.incentive_models import builders as b

# Two providers. P1: the worked example (G1, 34,500.00) and a second citizen (G2) at
# 400 kr./day less from 1 Feb with qualifying_days 90, as of 30 Jun: 150 days -> 30,000.00.
# P2: G3 drops 1,000 -> 300 from 1 Apr: 91 days x 700 x 0.5 = 31,850.00.
EXPECTED = {"P1": D("34500.00") + D("0.5") * 150 * 400, "P2": D("0.5") * 91 * 700}


@pytest.fixture
def run_id(engine):
    grants = b.grants(
        b.grant("G1", citizen="B-000001"),
        b.grant("G2", citizen="B-000002"),
        b.grant("G3", citizen="B-000003", provider="P2"),
    )
    assessments = b.assessments(
        ("G1", "2025-01-01", 3), ("G1", "2025-02-01", 2), ("G1", "2025-06-01", 1),
        ("G2", "2025-01-01", 3), ("G2", "2025-02-01", 2),
        ("G3", "2025-01-01", 3), ("G3", "2025-04-01", 1),
    )
    providers = pd.DataFrame({"provider_id": ["P1", "P2"], "provider_name": ["Bostøtten Nordvest ApS", "Støtte & Trivsel ApS"]})
    with engine.begin() as conn:
        warehouse.insert_frame(conn, "providers", providers)
        warehouse.insert_frame(conn, "grants", grants)
        warehouse.insert_frame(conn, "assessments", assessments)
        warehouse.insert_frame(conn, "rates", b.worked_example_rates())
    run = runs.create_draft(engine, b.model(), "2025-06-30")
    runs.approve(engine, run)
    return run


def pdf_text(data: bytes) -> str:
    """The text of a PDF: pdftotext if installed, else the strings of its (deflated) streams."""
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    texts = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, flags=re.S):
        try:
            stream = zlib.decompress(stream)
        except zlib.error:
            pass
        texts += [t.decode("latin-1") for t in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", stream)]
    return " ".join(t.replace("\\(", "(").replace("\\)", ")").replace("\\\\", "\\") for t in texts)


def test_csv_reads_back_with_danish_numbers_and_totals(engine, run_id, tmp_path):
    path = statement.write_statement(engine, run_id, "csv", tmp_path / "s.csv")
    rows = list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig")), delimiter=";"))
    money = lambda text: D(text.replace(",", "."))  # noqa: E731
    lines = [r for r in rows if r["Borger (pseudonym)"] != statement.TOTAL_LABEL]
    totals = {r["Leverandør"]: r for r in rows if r["Borger (pseudonym)"] == statement.TOTAL_LABEL}
    assert [r["Borger (pseudonym)"] for r in lines] == ["B-000001", "B-000002", "B-000003"]
    assert {p: money(r["Til udbetaling (kr.)"]) for p, r in totals.items()} == EXPECTED
    assert money(lines[0]["Til udbetaling (kr.)"]) == D("34500.00")
    assert lines[0]["Forløb start"] == "01.02.2025" and lines[0]["Status"] == "godkendt"
    assert lines[0]["Leverandørnavn"] == "Bostøtten Nordvest ApS"
    assert "regel 9" in lines[0]["Forklaring (regel)"]
    assert "CPR" not in path.read_text(encoding="utf-8-sig") and "cpr" not in rows[0]


def test_xlsx_has_an_overview_and_a_sheet_per_provider(engine, run_id, tmp_path):
    from openpyxl import load_workbook

    path = statement.write_statement(engine, run_id, "xlsx", tmp_path / "s.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["Oversigt", "P1", "P2"]
    sheet = book["P1"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(i for i, r in enumerate(rows) if r[0] == "Borger (pseudonym)")
    payout = rows[header].index("Til udbetaling (kr.)")
    assert [r[0] for r in rows[header + 1:]] == ["B-000001", "B-000002", statement.TOTAL_LABEL]
    assert [D(str(r[payout])) for r in rows[header + 1:]] == [D("34500"), D("30000"), EXPECTED["P1"]]
    assert dict((r[0], r[1]) for r in rows[1:header] if r[0])["Status"].startswith("Godkendt")
    overview = [[c.value for c in row] for row in book["Oversigt"].iter_rows()]
    total_row = next(r for r in overview if r[0] == statement.TOTAL_LABEL)
    heading_row = next(r for r in overview if r[0] == "Leverandør")
    assert D(str(total_row[heading_row.index("Til udbetaling (kr.)")])) == sum(EXPECTED.values())


def test_pdf_for_one_provider_shows_its_lines_and_total(engine, run_id, tmp_path):
    path = statement.write_statement(engine, run_id, "pdf", tmp_path / "s.pdf", provider="P2")
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "Til udbetaling i alt: 31.850,00 kr." in text  # 91 x 700 x 0.5
    assert "B-000003" in text and "B-000001" not in text
    assert "Leverandør: P2 Støtte & Trivsel ApS" in text


def test_unknown_provider_or_format_is_a_clear_error(engine, run_id, tmp_path):
    with pytest.raises(SocialbenchError, match="provider 'P9' has no lines in run .*P1, P2"):
        statement.statement_bytes(engine, run_id, "csv", provider="P9")
    with pytest.raises(SocialbenchError, match="unknown statement format 'doc'"):
        statement.statement_bytes(engine, run_id, "doc")
    with pytest.raises(runs.RunNotFound):
        statement.statement_bytes(engine, "no-such-run", "pdf")


@pytest.mark.parametrize("fmt", statement.FORMATS)
def test_a_run_without_lines_still_gives_a_statement(engine, fmt):
    run = runs.create_draft(engine, b.model(), "2025-03-31")
    data = statement.statement_bytes(engine, run, fmt)
    if fmt == "pdf":
        assert data.startswith(b"%PDF") and "intet til udbetaling" in pdf_text(data)
    elif fmt == "csv":
        assert data.decode("utf-8-sig").count("\n") == 1  # the header only
    else:
        from openpyxl import load_workbook

        assert load_workbook(io.BytesIO(data)).sheetnames == ["Oversigt"]


def test_times_on_statements_are_danish_local_time():
    from datetime import datetime

    from incentive_models.danish import local_time

    assert local_time(datetime(2025, 6, 30, 12, 5)) == "30.06.2025 14:05"  # summer: UTC+2
    assert local_time(datetime(2025, 12, 31, 23, 30)) == "01.01.2026 00:30"  # winter: UTC+1


# --- formula injection (OWASP): text stays text, numbers stay numbers -----------------

HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def hostile_statement() -> statement.Statement:
    """A statement built by hand: one provider named and one line per hostile text, each
    with a negative adjustment (a number that begins with '-')."""
    from datetime import date, datetime

    lines = pd.DataFrame(
        [
            {
                "citizen_key": text, "grant_id": text, "municipality_code": 101, "intervention_code": "SEL85",
                "episode_start": date(2025, 2, 1), "baseline_level": 3, "qualified_on": date(2025, 5, 2),
                "days_counted": 10, "exit_days": 0, "saving_to_date_dkk": D("-4000.00"), "earned_dkk": D("0.00"),
                "previously_paid_dkk": D("1250.00"), "payout_dkk": D("0.00"), "held_back_dkk": D("0.00"),
                "adjustment_dkk": D("-1250.00"), "capped_by": "", "explanation": text,
            }
            for text in HOSTILE
        ]
    )
    run = {"run_id": "r-1", "model_id": "test-model", "as_of": date(2025, 6, 30), "status": runs.DRAFT, "approved_at": None}
    sections = [statement.Section(name, name, lines) for name in HOSTILE[:1]] + [statement.Section("P2", HOSTILE[1], lines)]
    return statement.Statement(run, b.model(), datetime(2025, 7, 1, 12, 0), sections)


def test_csv_prefixes_text_that_could_be_a_formula_and_keeps_negative_amounts_numbers():
    data = statement.to_csv(hostile_statement())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    lines = [r for r in rows if r["Borger (pseudonym)"] != statement.TOTAL_LABEL]
    assert len(lines) == 2 * len(HOSTILE)
    for row, text in zip(lines, HOSTILE * 2):
        for heading in ("Borger (pseudonym)", "Bevilling", "Forklaring (regel)"):
            assert row[heading] == "'" + text
        assert row["Regulering til gennemgang (kr.)"] == "-1250,00"  # a number: not prefixed
        assert row["Besparelse til dato (kr.)"] == "-4000,00"
    assert {r["Leverandørnavn"] for r in rows} == {"'" + HOSTILE[0], "'" + HOSTILE[1]}
    assert {r["Leverandør"] for r in rows} == {"'" + HOSTILE[0], "P2"}
    totals = [r for r in rows if r["Borger (pseudonym)"] == statement.TOTAL_LABEL]
    assert [r["Regulering til gennemgang (kr.)"] for r in totals] == [f"{-1250 * len(HOSTILE)},00"] * 2


def test_xlsx_writes_text_that_could_be_a_formula_as_string_cells_and_amounts_as_numbers():
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(statement.to_xlsx(hostile_statement())))
    read_back = [t.replace("\r", "\n") for t in HOSTILE]  # XML reads a carriage return back as a line feed
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    hostile_cells = [c for c in cells if c.value in read_back]
    assert hostile_cells and all(c.data_type == "s" for c in hostile_cells)
    for sheet in book.worksheets[1:]:
        rows = [[c for c in row] for row in sheet.iter_rows()]
        header = next(i for i, r in enumerate(rows) if r[0].value == "Borger (pseudonym)")
        names = [c.value for c in rows[header]]
        body = rows[header + 1: header + 1 + len(HOSTILE)]
        assert [r[0].value for r in body] == read_back
        assert all(r[names.index("Forklaring (regel)")].data_type == "s" for r in body)
        adjustment = [r[names.index("Regulering til gennemgang (kr.)")] for r in body]
        assert all(c.data_type == "n" and D(str(c.value)) == D("-1250.00") for c in adjustment)
    overview = [[c for c in row] for row in book["Oversigt"].iter_rows()]
    provider_names = [r[1] for r in overview if r[0].value in (HOSTILE[0], "P2")]
    assert [(c.value, c.data_type) for c in provider_names] == [(HOSTILE[0], "s"), (HOSTILE[1], "s")]


def test_hostile_provider_names_and_citizen_keys_from_the_warehouse_stay_text(engine):
    from openpyxl import load_workbook

    grants = b.grants(b.grant("G1", citizen=HOSTILE[0], provider="P1"))
    assessments = b.assessments(("G1", "2025-01-01", 3), ("G1", "2025-02-01", 2), ("G1", "2025-06-01", 1))
    providers = pd.DataFrame({"provider_id": ["P1"], "provider_name": ["@SUM(A1)"]})
    with engine.begin() as conn:
        warehouse.insert_frame(conn, "providers", providers)
        warehouse.insert_frame(conn, "grants", grants)
        warehouse.insert_frame(conn, "assessments", assessments)
        warehouse.insert_frame(conn, "rates", b.worked_example_rates())
    run = runs.create_draft(engine, b.model(), "2025-06-30")
    text = statement.statement_bytes(engine, run, "csv").decode("utf-8-sig")
    [line, _total] = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    assert (line["Borger (pseudonym)"], line["Leverandørnavn"]) == ("'" + HOSTILE[0], "'@SUM(A1)")
    assert line["Til udbetaling (kr.)"] == "34500,00"  # the worked example: 0.5 x (120 x 400 + 30 x 700)
    book = load_workbook(io.BytesIO(statement.statement_bytes(engine, run, "xlsx")))
    found = [c for s in book.worksheets for row in s.iter_rows() for c in row if c.value in (HOSTILE[0], "@SUM(A1)")]
    assert len(found) >= 2 and {c.data_type for c in found} == {"s"}
