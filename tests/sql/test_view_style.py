"""The views follow the house style (dbt jaffle-shop): lower-case keywords, every alias
written with `as`, columns listed explicitly, and `year` always qualified by a table alias."""
from __future__ import annotations

import pytest
from sqlglot import exp, parse_one
from sqlglot.tokens import Tokenizer, TokenType

from socialbench import schema

VIEWS = {view.name: schema.split_statements(view.sql)[0] for view in schema.views()}
WORDS = {TokenType.VAR, TokenType.IDENTIFIER}
BEFORE_ALIAS = WORDS | {TokenType.NUMBER, TokenType.STRING, TokenType.R_PAREN}
# Keywords that sqlglot's tokenizer reads as plain words.
SOFT_KEYWORDS = {"nulls", "first", "last", "unbounded", "preceding", "following", "current", "row"}


def tokens(sql):
    return Tokenizer().tokenize(sql)


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_keywords_are_lower_case(name):
    sql = VIEWS[name]
    upper = {
        word
        for t in tokens(sql)
        if t.token_type not in WORDS | {TokenType.STRING} or t.text.lower() in SOFT_KEYWORDS
        for word in sql[t.start : t.end + 1].split()  # as written (token text may be normalised)
        if word.isalpha() and word != word.lower()
    }
    assert upper == set()


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_every_alias_is_written_with_as(name):
    toks = tokens(VIEWS[name])
    bare = [
        f"{a.text} {b.text} (line {b.line})"
        for a, b in zip(toks, toks[1:])
        if a.token_type in BEFORE_ALIAS and b.token_type in WORDS and b.text.lower() not in SOFT_KEYWORDS
    ]
    assert bare == []


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_no_star_and_year_is_qualified(name):
    tree = parse_one(VIEWS[name], read="postgres")
    assert not list(tree.find_all(exp.Star)) or all(
        isinstance(star.parent, exp.Count) for star in tree.find_all(exp.Star)
    ), "select * is not allowed: list the columns"
    # In the final select the columns come from a single CTE; everywhere else `year` needs its table.
    final = {id(c) for projection in tree.expressions for c in projection.find_all(exp.Column)}
    for column in tree.find_all(exp.Column):
        if column.name == "year" and id(column) not in final:
            assert column.table, f"unqualified year in {column.parent.sql()}"


@pytest.mark.parametrize(
    ("check", "bad_sql"),
    [
        (test_keywords_are_lower_case, "select a.b as b from t as a ORDER by a.b"),
        (test_keywords_are_lower_case, "select a.b as b from t as a order by a.b NULLS last"),
        (test_every_alias_is_written_with_as, "select a.b as b from t a"),
        (test_every_alias_is_written_with_as, "select count(*) n from t as a"),
        (test_no_star_and_year_is_qualified, "select * from t as a"),
        (test_no_star_and_year_is_qualified, "with c as (select year as year from t as a) select year from c"),
    ],
)
def test_style_checks_catch_violations(monkeypatch, check, bad_sql):
    monkeypatch.setitem(VIEWS, "bad", bad_sql)
    with pytest.raises(AssertionError):
        check("bad")
