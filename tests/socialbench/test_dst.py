"""Statistics Denmark formats: REGK31 and FOLK1A statbank exports (load-dst, fetch-dst).

The recorded files in fixtures/dst are written in the statbank's export format: UTF-8
with a byte-order mark (none for BULK), `;`, CRLF, decimal comma, missing values, total
rows; the same cells once as codes and once as Danish labels. Expected values are
computed here by hand from those files.
"""
from __future__ import annotations

import argparse
import json
import socket
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa

from socialbench import cli, dst, dst_cli, loading, statbank
from socialbench.cli_args import add_subcommands
from socialbench.errors import InputError, SocialbenchError

FIXTURES = Path(__file__).parent / "fixtures" / "dst"

# REGK31 cells that are loaded: INDHOLD is in 1,000 kr., stored in kroner.
EXPECTED_EXPENDITURE = [
    (101, 2023, "5.28.22", "actual", Decimal(412_345) * 1000),
    (101, 2023, "5.38.50", "actual", Decimal("987654.5") * 1000),
    (101, 2024, "5.28.22", "actual", Decimal(-1_234) * 1000),
    (151, 2023, "5.28.20", "actual", Decimal(0)),
]
REGK31_SKIPPED = {
    dst.TOTAL: 3,  # Hele landet, Region Hovedstaden, Hovedstadskommuner
    dst.MISSING: 4,  # `..`, `x`, `.`, `-`
    dst.OTHER_FUNCTION: 2,  # 3.22.01, 0.22.01 (code 2201)
}

# FOLK1A persons on 1 January (K1); the by-sex file adds men and women.
EXPECTED_POPULATION = [
    (101, 2024, 0, 3630 + 3475),
    (101, 2024, 1, 3500 + 3390),
    (101, 2024, 125, 0 + 0),
    (101, 2025, 0, 3600 + 3400),
    (147, 2024, 0, 560 + 540),
]


def rows(engine, sql):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql)).fetchall()]


def stored_expenditure(engine):
    return rows(engine, "select municipality_code, year, function_code, kind, amount_dkk from expenditure order by 1, 2, 3")


def stored_population(engine):
    return rows(engine, "select municipality_code, year, age, persons from population order by 1, 2, 3")


def write_export(folder: Path, name: str, *lines: str, bom: bool = True) -> Path:
    """A statbank export as the API writes it: BOM, `;`, CRLF."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes((("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def problems_of(engine, path) -> list[str]:
    with pytest.raises(InputError) as info:
        dst.load_dst(engine, path)
    return [str(p) for p in info.value.problems]


def header_problems(path) -> list[str]:
    """Problems found before the warehouse is touched."""
    with pytest.raises(InputError) as info:
        dst.read_export(path)
    return [str(p) for p in info.value.problems]


# ------------------------------------------------------------------ REGK31


@pytest.mark.parametrize("fixture", ["regk31_codes.csv", "regk31_labels.csv"])
def test_regk31_codes_and_labels_store_the_same_kroner(engine, fixture):
    result = dst.load_dst(engine, FIXTURES / fixture)

    assert (result.table, result.target, result.loaded) == ("REGK31", "expenditure", 4)
    assert result.skipped == REGK31_SKIPPED
    assert stored_expenditure(engine) == EXPECTED_EXPENDITURE
    assert rows(engine, "select source, synthetic from data_source where table_name = 'expenditure'") == [
        (f"Danmarks Statistik, REGK31 ({fixture})", False)
    ]


def test_recorded_exports_are_in_the_statbank_byte_format():
    raw = (FIXTURES / "regk31_codes.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfOMR\xc3\x85DE;FUNKTION;")  # BOM, UTF-8 Å, `;`
    assert b"\r\n" in raw and b"987654,5" in raw
    assert not (FIXTURES / "folk1a_codes_with_totals.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # BULK


def test_regk31_reload_changes_nothing_and_a_corrected_file_replaces(engine, tmp_path):
    dst.load_dst(engine, FIXTURES / "regk31_codes.csv")
    dst.load_dst(engine, FIXTURES / "regk31_codes.csv")
    assert stored_expenditure(engine) == EXPECTED_EXPENDITURE

    corrected = write_export(
        tmp_path, "REGK31.csv",
        "OMRÅDE;FUNKTION;DRANST;ART;PRISENHED;TID;INDHOLD",
        "101;52822;1;TOT;LOBM;2023;412400",
    )
    assert dst.load_dst(engine, corrected).loaded == 1
    expected = [(101, 2023, "5.28.22", "actual", Decimal(412_400) * 1000)] + EXPECTED_EXPENDITURE[1:]
    assert stored_expenditure(engine) == expected


def test_regk31_bad_cells_are_reported_by_line_and_column_and_nothing_is_written(engine, tmp_path):
    path = write_export(
        tmp_path, "regk31_bad.csv",
        "OMRÅDE;FUNKTION;DRANST;ART;PRISENHED;TID;INDHOLD",
        "101;52822;1;TOT;LOBM;2023;412345",  # 2: good
        "101;52823;1;TOT;LOBM;2023;12,3,4",  # 3
        "Gotham;52822;1;TOT;LOBM;2023;5",  # 4
        "101;53899;1;TOT;LOBM;2023;5",  # 5: a 5.38 function the mapping does not know
        "101;52824;3;TOT;LOBM;2023;5",  # 6: capital, not operating
        "101;52825;1;TOT;Pr. indbygger, løbende priser (kr.);2023;5",  # 7
        "101;52820;1;TOT;LOBM;2023K1;5",  # 8
        "999;52822;1;TOT;LOBM;2023;5",  # 9
        "101;Plejefamilier;1;TOT;LOBM;2023;5",  # 10
        "101;52822;1;TOT;LOBM;2023;412345",  # 11: line 2 again
        "147;52822;1;TOT;LOBM;2023;1.234",  # 12: a thousands separator is not the format
        "147;52821;1;TOT;LOBM;2023",  # 13
    )
    name = str(path)
    assert problems_of(engine, path) == [
        f"{name}:3: INDHOLD: not a number: '12,3,4'",
        f"{name}:4: OMRÅDE: unknown municipality 'Gotham'",
        f"{name}:5: FUNKTION: unknown function code '5.38.99' (only 5.28.xx and 5.38.xx functions are known)",
        f"{name}:6: DRANST: expected 1 (1 Driftskonti), not '3': load-dst takes net operating expenditure "
        "in current prices only (DRANST=1, ART=TOT, PRISENHED=LOBM)",
        f"{name}:7: PRISENHED: expected LOBM (Løbende priser (1.000 kr.)), not 'Pr. indbygger, løbende priser (kr.)': "
        "load-dst takes net operating expenditure in current prices only (DRANST=1, ART=TOT, PRISENHED=LOBM)",
        f"{name}:8: TID: expected a year such as 2024, not '2023K1'",
        f"{name}:9: OMRÅDE: unknown municipality code 999",
        f"{name}:10: FUNKTION: not a function code or label: 'Plejefamilier'",
        f"{name}:11: the same cell as line 2",
        f"{name}:12: INDHOLD: not a number: '1.234'",
        f"{name}:13: 6 fields, expected 7",
    ]
    assert stored_expenditure(engine) == []


def test_a_bad_dst_file_leaves_stored_rows_untouched(engine, write_csv, tmp_path):
    loading.load_path(engine, write_csv(
        "expenditure.csv", "municipality_code,year,function_code,kind,amount_dkk", "101,2023,5.28.22,actual,1.00"
    ))
    path = write_export(
        tmp_path, "regk31.csv",
        "OMRÅDE;FUNKTION;DRANST;ART;PRISENHED;TID;INDHOLD",
        "101;52822;1;TOT;LOBM;2023;412345",  # would replace the stored 1.00
        "147;52822;1;TOT;LOBM;2023;abc",
    )
    assert problems_of(engine, path) == [f"{path}:3: INDHOLD: not a number: 'abc'"]
    assert stored_expenditure(engine) == [(101, 2023, "5.28.22", "actual", Decimal("1.00"))]


# ------------------------------------------------------------------ FOLK1A


@pytest.mark.parametrize(
    "fixture, skipped",
    [
        # totals: 000, 084, IALT; Christiansø; 2024K2
        ("folk1a_codes.csv", {dst.TOTAL: 3, dst.NOT_MUNICIPALITY: 1, dst.OTHER_QUARTER: 1}),
        # totals: Hele landet, Region Hovedstaden, Alder i alt; Christiansø; two 2024K2 rows
        ("folk1a_labels_by_sex.csv", {dst.TOTAL: 3, dst.NOT_MUNICIPALITY: 1, dst.OTHER_QUARTER: 2}),
    ],
)
def test_folk1a_codes_and_labels_store_persons_on_1_january(engine, fixture, skipped):
    result = dst.load_dst(engine, FIXTURES / fixture)

    assert (result.table, result.target, result.loaded) == ("FOLK1A", "population", len(EXPECTED_POPULATION))
    assert result.skipped == skipped
    assert stored_population(engine) == EXPECTED_POPULATION
    assert rows(engine, "select source from data_source where table_name = 'population'") == [
        (f"Danmarks Statistik, FOLK1A ({fixture})",)
    ]


def test_folk1a_uses_a_total_in_the_file_instead_of_adding_its_parts_again(engine):
    result = dst.load_dst(engine, FIXTURES / "folk1a_codes_with_totals.csv")

    assert stored_population(engine) == [(101, 2024, 0, 7105), (147, 2024, 0, 1100)]  # not 7105 + 3630 + 3475
    assert result.skipped == {dst.COUNTED_IN_TOTAL: 4}


def test_folk1a_bad_cells_are_reported_by_line_and_column(engine, tmp_path):
    path = write_export(
        tmp_path, "folk1a_bad.csv",
        "OMRÅDE;KØN;ALDER;TID;INDHOLD",
        "København;Mænd;0 år;2024K1;3630",  # 2: good
        "København;Kvinder;0-4 år;2024K1;17000",  # 3
        "København;Kvinder;0 år;2024;3475",  # 4
        "København;Begge;1 år;2024K1;7000",  # 5
        "København;Mænd;131 år;2024K1;0",  # 6
        "København;Mænd;0 år;2024K1;3630",  # 7: line 2 again
        "Frederiksberg;Mænd;2 år;2024K1;0,5",  # 8
        "Frederiksberg;Mænd;3 år;2024K1;-5",  # 9
    )
    name = str(path)
    assert problems_of(engine, path) == [
        f"{name}:3: ALDER: not an age: '0-4 år'",
        f"{name}:4: TID: expected a quarter such as 2024K1, not '2024'",
        f"{name}:5: KØN: unknown value 'Begge' (expected one of TOT, 1, 2 or I alt, Mænd, Kvinder)",
        f"{name}:6: ALDER: age must be 0-130",
        f"{name}:7: the same cell as line 2",
        f"{name}:8: INDHOLD: not a whole number of persons: '0,5'",
        f"{name}:9: INDHOLD: must not be negative",
    ]
    assert stored_population(engine) == []


# ------------------------------------------------------------------ files that are neither table


def test_a_header_that_is_neither_table_is_one_clear_problem(tmp_path):
    path = write_export(tmp_path, "hand01.csv", "OMRÅDE;YDELSE;TID;INDHOLD", "101;SEL108;2024;412")
    assert header_problems(path) == [
        f"{path}:1: not a REGK31 or FOLK1A statbank export: expected a ';'-separated header such as "
        "OMRÅDE;FUNKTION;DRANST;ART;PRISENHED;TID;INDHOLD or OMRÅDE;ALDER;TID;INDHOLD, found OMRÅDE;YDELSE;TID;INDHOLD"
    ]


def test_a_comma_separated_file_is_not_taken_for_a_statbank_export(tmp_path):
    path = write_export(tmp_path, "regk31.csv", "OMRÅDE,FUNKTION,DRANST,ART,PRISENHED,TID,INDHOLD")
    assert header_problems(path)[0].startswith(f"{path}:1: not a REGK31 or FOLK1A statbank export")


def test_missing_and_unexpected_columns_and_encoding(tmp_path):
    path = write_export(tmp_path, "a.csv", "OMRÅDE;FUNKTION;DRANST;ART;TID;INDHOLD;NOTE")
    assert header_problems(path) == [
        f"{path}:1: PRISENHED: missing column in a REGK31 export",
        f"{path}:1: NOTE: unexpected column in a REGK31 export",
    ]
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("OMRÅDE;ALDER;TID;INDHOLD\r\n".encode("latin-1"))
    assert header_problems(latin1) == [f"{latin1}:1: not UTF-8 text"]


# ------------------------------------------------------------------ CLI


def parser() -> argparse.ArgumentParser:
    """The `socialbench` parser with only this area's commands (the others are not under test)."""
    p = argparse.ArgumentParser(prog="socialbench")
    dst_cli.register(add_subcommands(p, dest="command", required=True))
    return p


def run(*argv: str) -> int:
    args = parser().parse_args(list(argv))
    return args.func(args)


def test_load_dst_command_prints_what_was_loaded_and_skipped(engine, db_url, capsys):
    assert run("load-dst", "--db", db_url, "--no-refresh", str(FIXTURES / "regk31_labels.csv")) == 0
    assert capsys.readouterr().out.splitlines() == [
        "expenditure: 4 rows loaded from REGK31 (skipped 3 total rows, 4 missing values, "
        "2 rows of other functions than 5.28/5.38)"
    ]
    assert stored_expenditure(engine) == EXPECTED_EXPENDITURE


# ------------------------------------------------------------------ fetch-dst against a local statbank


class Statbank(ThreadingHTTPServer):
    """A stand-in for api.statbank.dk: answers POST /v1/data from recorded files."""

    def __init__(self, answers: dict[str, tuple[int, bytes]]):
        super().__init__(("127.0.0.1", 0), StatbankHandler)
        self.answers = answers
        self.received: list[tuple[str, dict]] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class StatbankHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
        self.server.received.append((self.path, body))
        status, payload = self.server.answers.get(body.get("table"), (404, b'{"message": "no such table"}'))
        self.send_response(status)
        self.send_header("Content-Type", "text/csv; charset=utf-8" if status == 200 else "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):  # keep test output quiet
        pass


@pytest.fixture
def statbank_server():
    servers = []

    def start(answers):
        server = Statbank(answers)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def recorded(name: str) -> tuple[int, bytes]:
    return 200, (FIXTURES / name).read_bytes()


def test_fetch_dst_asks_for_the_documented_selection_and_loads_the_files(engine, db_url, statbank_server, tmp_path, capsys):
    server = statbank_server({"REGK31": recorded("regk31_codes.csv"), "FOLK1A": recorded("folk1a_codes.csv")})
    out = tmp_path / "dst"

    code = run(
        "fetch-dst", "--db", db_url, "--out", str(out), "--from-year", "2023", "--to-year", "2024",
        "--base-url", server.base_url, "--load", "--no-refresh",
    )

    assert code == 0
    municipalities = [str(c) for c in sorted(int(c) for c in server.received[0][1]["variables"][0]["values"])]
    assert len(municipalities) == 98 and municipalities[0] == "101" and municipalities[-1] == "860"
    common = {"format": "CSV", "lang": "da", "valuePresentation": "Code", "delimiter": "Semicolon"}
    assert server.received == [
        ("/v1/data", {"table": "REGK31", **common, "variables": [
            {"code": "OMRÅDE", "values": municipalities},
            {"code": "FUNKTION", "values": ["528*", "538*"]},
            {"code": "DRANST", "values": ["1"]},
            {"code": "ART", "values": ["TOT"]},
            {"code": "PRISENHED", "values": ["LOBM"]},
            {"code": "Tid", "values": ["2023", "2024"]},
        ]}),
        ("/v1/data", {"table": "FOLK1A", **common, "variables": [
            {"code": "OMRÅDE", "values": municipalities},
            {"code": "ALDER", "values": [str(age) for age in range(0, 126)]},
            {"code": "Tid", "values": ["2023K1", "2024K1"]},
        ]}),
    ]
    assert sorted(p.name for p in out.iterdir()) == ["FOLK1A.csv", "REGK31.csv"]
    assert (out / "REGK31.csv").read_bytes() == (FIXTURES / "regk31_codes.csv").read_bytes()
    assert (out / "FOLK1A.csv").read_bytes() == (FIXTURES / "folk1a_codes.csv").read_bytes()
    assert stored_expenditure(engine) == EXPECTED_EXPENDITURE
    assert stored_population(engine) == EXPECTED_POPULATION
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == f"wrote {out / 'REGK31.csv'} ({(FIXTURES / 'regk31_codes.csv').stat().st_size} bytes)"
    assert printed[2].startswith("expenditure: 4 rows loaded from REGK31")
    assert printed[3].startswith("population: 5 rows loaded from FOLK1A")


def test_fetch_dst_load_is_all_or_nothing_across_both_files(engine, db_url, statbank_server, tmp_path, capsys):
    bad_folk1a = (FIXTURES / "folk1a_codes.csv").read_bytes().replace(b"\r\n", b"\n").rstrip(b"\n") + b"\n999;0;2024K1;12\n"
    server = statbank_server({"REGK31": recorded("regk31_codes.csv"), "FOLK1A": (200, bad_folk1a)})

    with pytest.raises(InputError) as info:
        run(
            "fetch-dst", "--db", db_url, "--out", str(tmp_path / "dst"), "--from-year", "2023", "--to-year", "2024",
            "--base-url", server.base_url, "--load", "--no-refresh",
        )

    assert [str(p) for p in info.value.problems] == [
        f"{tmp_path / 'dst' / 'FOLK1A.csv'}:12: OMRÅDE: unknown municipality code 999"
    ]
    assert stored_expenditure(engine) == []  # the good REGK31 file was not loaded either
    assert stored_population(engine) == []


def test_fetch_takes_the_base_url_from_the_environment(statbank_server, tmp_path, monkeypatch):
    server = statbank_server({"REGK31": recorded("regk31_labels.csv"), "FOLK1A": recorded("folk1a_labels_by_sex.csv")})
    monkeypatch.setenv(statbank.ENV_VAR, server.base_url + "/")

    files = statbank.fetch(tmp_path, [2024])

    assert files == [tmp_path / "REGK31.csv", tmp_path / "FOLK1A.csv"]
    assert [path for path, _ in server.received] == ["/v1/data", "/v1/data"]


def test_an_error_answer_names_the_url_status_and_the_apis_message(statbank_server, tmp_path):
    message = "Værdien '2031' findes ikke for variablen 'Tid'"
    server = statbank_server({"REGK31": (400, json.dumps({"errorTypeCode": "EXTRACT-NOTFOUND", "message": message}).encode())})

    with pytest.raises(SocialbenchError) as info:
        statbank.fetch(tmp_path / "dst", [2031], base=server.base_url)

    assert str(info.value) == f"{server.base_url}/data answered HTTP 400 for table REGK31: {message}"
    assert not (tmp_path / "dst").exists()


def test_an_unreachable_statbank_is_a_clear_error_not_a_traceback(tmp_path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"

    with pytest.raises(SocialbenchError) as info:
        run("fetch-dst", "--out", str(tmp_path), "--base-url", url, "--from-year", "2024", "--to-year", "2024")

    assert str(info.value) == (
        f"cannot reach Statistics Denmark at {url}/data (ConnectionError): "
        "check the network, or pass --base-url / set $SOCIALBENCH_STATBANK_URL"
    )


def test_the_socialbench_command_exits_1_with_one_line_for_bad_input_or_no_network(db_url, engine, tmp_path, capsys):
    bad = write_export(tmp_path, "bad.csv", "OMRÅDE;ALDER;TID;INDHOLD", "101;0;2024K1;..,")
    assert cli.main(["load-dst", "--db", db_url, str(bad)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{bad}:2: INDHOLD: not a number: '..,'",
        "nothing was written (1 problems)",
    ]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    argv = ["fetch-dst", "--out", str(tmp_path), "--base-url", f"http://127.0.0.1:{port}/v1", "--to-year", "2024"]
    assert cli.main(argv) == 1
    assert capsys.readouterr().err.startswith(f"error: cannot reach Statistics Denmark at http://127.0.0.1:{port}/v1/data")


def test_year_range():
    assert statbank.year_range(2015, 2017) == [2015, 2016, 2017]
    with pytest.raises(SocialbenchError, match="--from-year 2025 is after --to-year 2024"):
        statbank.year_range(2025, 2024)
