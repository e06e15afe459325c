"""The README's table of accepted files says what the declarations say (sql/tables)."""
from __future__ import annotations

import re
from pathlib import Path

from socialbench import loading

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_every_loadable_file_with_its_declared_columns_and_key_in_load_order():
    rows = re.findall(r"^\| (\w+)\.csv \| ([^|]+) \| ([^|]+) \|$", README.read_text(encoding="utf-8"), flags=re.MULTILINE)
    listed = [(name, [c.strip() for c in cols.split(",")], [k.strip() for k in key.split(",")]) for name, cols, key in rows]
    declared = [(name, list(spec.columns), list(spec.key)) for name, spec in loading.TABLES.items()]
    assert listed == declared
