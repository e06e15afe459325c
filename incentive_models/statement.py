"""Settlement statements in Danish, per provider, that a provider's accountant can check.

Each statement shows the run (model, as-of date, run id, status, when it was made), every
citizen line (by pseudonym only), the rule that produced it, and the totals. Formats:
CSV (semicolon-separated, decimal comma: opens as numbers in a Danish Excel), XLSX and PDF.
Text cells of the CSV and XLSX are safe from formula injection (`socialbench.export_cells`):
a provider name `=HYPERLINK(...)` stays text, while amounts stay numbers.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from incentive_models import runs
from incentive_models.danish import day, kroner, local_time, number, percent
from incentive_models.model import Model, parse_model, short_repr
from incentive_models.rules import ZERO
from socialbench import warehouse
from socialbench.errors import SocialbenchError
from socialbench.export_cells import csv_text, xlsx_row

FORMATS = ("csv", "xlsx", "pdf")
TITLE = "Afregningsopgørelse - positiv incitamentsmodel"
STATUS = {runs.DRAFT: "Kladde (ikke godkendt, må ikke udbetales)", runs.APPROVED: "Godkendt"}
CAPS = {"episode": "forløb", "provider": "leverandør", "budget": "budget"}

# (column in settlement_line, Danish heading, kind) in statement order.
COLUMNS = [
    ("citizen_key", "Borger (pseudonym)", "text"),
    ("grant_id", "Bevilling", "text"),
    ("municipality_code", "Kommune", "int"),
    ("intervention_code", "Indsats", "text"),
    ("episode_start", "Forløb start", "date"),
    ("baseline_level", "Udgangsniveau", "int"),
    ("qualified_on", "Kvalificeret", "date"),
    ("days_counted", "Dage talt med", "int"),
    ("exit_days", "Heraf dage efter afslutning", "int"),
    ("saving_to_date_dkk", "Besparelse til dato (kr.)", "money"),
    ("earned_dkk", "Optjent (kr.)", "money"),
    ("previously_paid_dkk", "Tidligere udbetalt (kr.)", "money"),
    ("payout_dkk", "Til udbetaling (kr.)", "money"),
    ("held_back_dkk", "Tilbageholdt af loft (kr.)", "money"),
    ("adjustment_dkk", "Regulering til gennemgang (kr.)", "money"),
    ("capped_by", "Loft", "caps"),
    ("explanation", "Forklaring (regel)", "text"),
]
MONEY = [c for c, _, kind in COLUMNS if kind == "money"]
TOTAL_LABEL = "I alt"


@dataclass
class Section:
    provider_id: str
    provider_name: str
    lines: pd.DataFrame

    def totals(self) -> dict[str, Decimal]:
        return {c: sum(self.lines[c], ZERO) for c in MONEY}


@dataclass
class Statement:
    run: dict
    model: Model
    generated: datetime
    sections: list[Section]

    def header(self) -> list[tuple[str, str]]:
        """(label, value) pairs describing the run, in Danish."""
        run, model = self.run, self.model
        status = STATUS.get(run["status"], run["status"])
        if run["status"] == runs.APPROVED and run["approved_at"] is not None:
            status += f" {local_time(pd.Timestamp(run['approved_at']).to_pydatetime())}"
        caps = [
            ("Loft pr. forløb", model.cap_per_episode_dkk),
            ("Loft pr. leverandør pr. kørsel", model.cap_per_provider_per_run_dkk),
            ("Budget pr. kørsel", model.budget_per_run_dkk),
        ]
        return [
            ("Model", model.model_id),
            ("Indsatser", ", ".join(model.interventions)),
            ("Leverandørens andel af besparelsen", percent(model.share)),
            ("Kvalificering", f"{model.qualifying_days} dage"),
            ("Horisont", f"{model.horizon_days} dage"),
            *[(label, kroner(value) if value is not None else "intet") for label, value in caps],
            ("Opgørelsesdato", day(_date(run["as_of"]))),
            ("Kørsel", run["run_id"]),
            ("Status", status),
            ("Dannet", local_time(self.generated)),
        ]


def _date(value) -> date:
    return value.date() if isinstance(value, (pd.Timestamp, datetime)) else value


def build(engine: Engine, run_id: str, provider: str | None = None) -> Statement:
    """Collect what a statement shows: the run, its model, and one section per provider."""
    run = runs.get_run(engine, run_id)
    lines = runs.run_lines(engine, run_id)
    with engine.connect() as conn:
        names = warehouse.read_frame(conn, "select provider_id, provider_name from providers")
    name_of = dict(zip(names["provider_id"], names["provider_name"]))
    providers = sorted(lines["provider_id"].unique())
    if provider is not None:
        if provider not in providers:
            raise SocialbenchError(
                f"provider {short_repr(provider, 80)} has no lines in run {run_id}"
                + (f" (providers in the run: {', '.join(providers)})" if providers else " (the run has no lines)")
            )
        providers = [provider]
    sections = [Section(p, name_of.get(p, ""), lines.loc[lines["provider_id"] == p].reset_index(drop=True)) for p in providers]
    model = parse_model(run["model_yaml"], f"model of run {run_id}")
    return Statement(run, model, runs._now().replace(microsecond=0), sections)


def _cell_text(value, kind: str) -> str:
    """A value as Danish text (CSV and PDF)."""
    if value is None or (not isinstance(value, (str, date)) and pd.isna(value)):
        return ""
    if kind == "date":
        return day(_date(value))
    if kind == "money":
        return number(value)
    if kind == "caps":
        return ", ".join(CAPS.get(c, c) for c in str(value).split(","))
    return str(value)


def to_csv(statement: Statement) -> bytes:
    """One row per line with the run and provider on every row, and a total row per
    provider; ';'-separated with decimal comma and no thousands separator."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    meta = ["Kørsel", "Model", "Opgørelsesdato", "Status", "Leverandør", "Leverandørnavn"]
    writer.writerow(meta + [heading for _, heading, _ in COLUMNS])
    run = statement.run
    status = "godkendt" if run["status"] == runs.APPROVED else "kladde"
    for section in statement.sections:
        first = [csv_text(str(v)) for v in (run["run_id"], statement.model.model_id, day(_date(run["as_of"])), status, section.provider_id, section.provider_name)]
        for line in section.lines.to_dict("records"):
            writer.writerow(first + [_csv_value(line[c], kind) for c, _, kind in COLUMNS])
        totals = section.totals()
        writer.writerow(
            first + [TOTAL_LABEL if c == "citizen_key" else (_csv_value(totals[c], kind) if kind == "money" else "") for c, _, kind in COLUMNS]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_value(value, kind: str) -> str:
    """A CSV field by its column's kind: numbers as numbers (a negative amount too), text
    neutralised against formula injection."""
    if kind == "money" and value is not None:
        return format(Decimal(value), "f").replace(".", ",")
    text = _cell_text(value, kind)
    return csv_text(text) if kind in ("text", "caps") else text


def to_xlsx(statement: Statement) -> bytes:
    """A sheet 'Oversigt' with the run and the totals per provider, then one sheet per
    provider with its lines; numbers and dates are real cells (kr. with 2 decimals)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    money_format, date_format = '#,##0.00 "kr."', "DD-MM-YYYY"
    bold = Font(bold=True)
    book = Workbook()
    overview = book.active
    overview.title = "Oversigt"
    overview.append(xlsx_row([TITLE]))
    overview["A1"].font = Font(bold=True, size=14)
    for label, value in statement.header():
        overview.append(xlsx_row([label, value]))
    overview.append(xlsx_row([]))
    overview.append(xlsx_row(["Leverandør", "Navn", "Linjer"] + [h for c, h, k in COLUMNS if k == "money"]))
    for cell in overview[overview.max_row]:
        cell.font = bold
    grand = {c: ZERO for c in MONEY}
    for section in statement.sections:
        totals = section.totals()
        overview.append(xlsx_row([section.provider_id, section.provider_name, len(section.lines)] + [totals[c] for c in MONEY]))
        grand = {c: grand[c] + totals[c] for c in MONEY}
    overview.append(xlsx_row([TOTAL_LABEL, "", sum(len(s.lines) for s in statement.sections)] + [grand[c] for c in MONEY]))
    for cell in overview[overview.max_row]:
        cell.font = bold
    for row in overview.iter_rows(min_row=2, min_col=4):
        for cell in row:
            if isinstance(cell.value, Decimal):
                cell.number_format = money_format
    overview.column_dimensions["A"].width = 36
    overview.column_dimensions["B"].width = 44

    used = set()
    for section in statement.sections:
        title = _sheet_title(section.provider_id, used)
        sheet = book.create_sheet(title)
        sheet.append(xlsx_row([TITLE]))
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append(xlsx_row(["Leverandør", f"{section.provider_id} {section.provider_name}".strip()]))
        for label, value in statement.header():
            sheet.append(xlsx_row([label, value]))
        sheet.append(xlsx_row([]))
        sheet.append(xlsx_row([heading for _, heading, _ in COLUMNS]))
        header_row = sheet.max_row
        for cell in sheet[header_row]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for line in section.lines.to_dict("records"):
            sheet.append(xlsx_row([_xlsx_value(line[c], kind) for c, _, kind in COLUMNS]))
        totals = section.totals()
        sheet.append(xlsx_row([TOTAL_LABEL if c == "citizen_key" else (totals[c] if kind == "money" else None) for c, _, kind in COLUMNS]))
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for row in sheet.iter_rows(min_row=header_row + 1):
            for (column, _, kind), cell in zip(COLUMNS, row):
                if kind == "money":
                    cell.number_format = money_format
                elif kind == "date":
                    cell.number_format = date_format
                elif column == "explanation":
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        for letter, width in zip("ABCDEFGHIJKLMNOPQ", [20, 14, 9, 9, 12, 9, 12, 9, 11, 16, 14, 14, 14, 14, 14, 12, 100]):
            sheet.column_dimensions[letter].width = width
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(provider_id: str, used: set[str]) -> str:
    base = "".join("_" if ch in '[]:*?/\\' else ch for ch in provider_id)[:28] or "Leverandør"
    title, n = base, 2
    while title.lower() in used or title == "Oversigt":
        title, n = f"{base[:26]}-{n}", n + 1
    used.add(title.lower())
    return title


def _xlsx_value(value, kind: str):
    if value is None or (not isinstance(value, (str, date)) and pd.isna(value)):
        return None
    if kind == "date":
        return _date(value)
    if kind == "caps":
        return _cell_text(value, kind)
    return value


def _latin1(text: str) -> str:
    """The PDF core fonts cover latin-1 (æøå included); anything else becomes '?'."""
    return text.replace("\u2013", "-").replace("\u2212", "-").encode("latin-1", "replace").decode("latin-1")


# (column, heading, width in mm) of the PDF table; the explanation follows each line.
PDF_COLUMNS = [
    ("citizen_key", "Borger (pseudonym)", 30),
    ("grant_id", "Bevilling", 22),
    ("episode_start", "Forløb start", 19),
    ("baseline_level", "Niveau", 12),
    ("qualified_on", "Kvalificeret", 19),
    ("days_counted", "Dage", 11),
    ("saving_to_date_dkk", "Besparelse", 25),
    ("earned_dkk", "Optjent", 23),
    ("previously_paid_dkk", "Tidl. udbetalt", 23),
    ("payout_dkk", "Til udbetaling", 23),
    ("held_back_dkk", "Tilbageholdt", 23),
    ("adjustment_dkk", "Regulering", 23),
    ("capped_by", "Loft", 24),
]


def to_pdf(statement: Statement) -> bytes:
    """One page (or more) per provider: the run, a table of lines, each followed by its
    explanation, and the totals."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    kinds = {c: kind for c, _, kind in COLUMNS}
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_title(_latin1(f"{TITLE} {statement.run['run_id']}"))
    pdf.alias_nb_pages()

    def footer():
        pdf.set_y(-10)
        pdf.set_font("Helvetica", size=7)
        pdf.cell(0, 5, _latin1(f"Kørsel {statement.run['run_id']} - side {pdf.page_no()} af {{nb}}"), align="R")

    pdf.footer = footer

    def header(provider_line: str | None):
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 14)
        pdf.cell(0, 8, _latin1(TITLE), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if provider_line:
            pdf.set_font("Helvetica", "B", 11)
            pdf.cell(0, 6, _latin1(provider_line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("Helvetica", size=8)
        for label, value in statement.header():
            pdf.cell(60, 4.2, _latin1(label + ":"))
            pdf.cell(0, 4.2, _latin1(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)

    for section in statement.sections:
        header(f"Leverandør: {section.provider_id} {section.provider_name}".strip())
        pdf.set_font("Helvetica", size=7)
        pdf.cell(0, 4, _latin1("Alle beløb i kr. Under hver linje: forklaringen med de regler, der gav beløbene."), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        widths = [w for _, _, w in PDF_COLUMNS]
        aligns = ["L" if kinds[c] in ("text", "caps") else "R" for c, _, _ in PDF_COLUMNS]

        def headings():
            pdf.set_font("Helvetica", "B", 7)
            pdf.set_fill_color(225, 225, 225)
            for (_, heading, _), width in zip(PDF_COLUMNS, widths):
                pdf.cell(width, 5, _latin1(heading), border=1, align="C", fill=True)
            pdf.ln()
            pdf.set_font("Helvetica", size=7)

        def room(height: float):
            if pdf.get_y() + height > pdf.page_break_trigger:
                pdf.add_page()
                headings()

        headings()
        for line in section.lines.to_dict("records"):
            room(12)
            for (column, _, _), width, align in zip(PDF_COLUMNS, widths, aligns):
                pdf.cell(width, 4.2, _latin1(_cell_text(line[column], kinds[column])), border=1, align=align)
            pdf.ln()
            pdf.set_text_color(70, 70, 70)
            pdf.multi_cell(sum(widths), 3.3, _latin1(line["explanation"]), border=1, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.set_text_color(0, 0, 0)
        totals = section.totals()
        room(5)
        pdf.set_font("Helvetica", "B", 7)
        for (column, _, _), width, align in zip(PDF_COLUMNS, widths, aligns):
            text = TOTAL_LABEL if column == "citizen_key" else (number(totals[column]) if column in MONEY else "")
            pdf.cell(width, 4.5, _latin1(text), border=1, align=align)
        pdf.ln()
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(0, 6, _latin1(f"Til udbetaling i alt: {kroner(totals['payout_dkk'])}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if statement.run["status"] != runs.APPROVED:
            pdf.set_font("Helvetica", "B", 9)
            pdf.cell(0, 5, _latin1("Kladde: beløbene er ikke godkendt og må ikke udbetales."), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if not statement.sections:
        header(None)
        pdf.cell(0, 6, _latin1("Kørslen har ingen linjer: intet til udbetaling (0,00 kr.)."))
    return bytes(pdf.output())


RENDERERS = {"csv": to_csv, "xlsx": to_xlsx, "pdf": to_pdf}


def statement_bytes(engine: Engine, run_id: str, fmt: str, provider: str | None = None) -> bytes:
    """The statement of a run (one provider, or all) as the bytes of a csv, xlsx or pdf file."""
    if fmt not in RENDERERS:
        raise SocialbenchError(f"unknown statement format {fmt!r}: use one of {', '.join(FORMATS)}")
    return RENDERERS[fmt](build(engine, run_id, provider))


def write_statement(engine: Engine, run_id: str, fmt: str, out, provider: str | None = None) -> Path:
    """Write the statement of a run to the file `out`; returns its path."""
    data = statement_bytes(engine, run_id, fmt, provider)
    path = Path(out)
    path.write_bytes(data)
    return path
