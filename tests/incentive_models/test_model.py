from decimal import Decimal

import pytest

from incentive_models.model import load_model, parse_model
from socialbench.errors import InputError

GOOD = """\
model_id: bostoette-2025          # text, required
interventions: [SEL85]            # the grants in scope
share: 0.5
qualifying_days: 90
horizon_days: 365
cap_per_episode_dkk: 60000
cap_per_provider_per_run_dkk: null
budget_per_run_dkk: null
exit_reasons: [goal_achieved]
"""


def problems(text):
    with pytest.raises(InputError) as caught:
        parse_model(text, "m.yml")
    return {(p.file, p.line, p.column): p.message for p in caught.value.problems}


def test_the_issue_example_parses_exactly():
    model = parse_model(GOOD, "m.yml")
    assert model.model_id == "bostoette-2025" and model.interventions == ("SEL85",)
    assert model.share == Decimal("0.5") and model.cap_per_episode_dkk == Decimal("60000")
    assert (model.qualifying_days, model.horizon_days) == (90, 365)
    assert model.cap_per_provider_per_run_dkk is None and model.budget_per_run_dkk is None


def test_defaults_exit_reasons_and_no_caps():
    model = parse_model("model_id: m\ninterventions: [SEL85]\nshare: 1\nqualifying_days: 1\nhorizon_days: 1\n")
    assert model.exit_reasons == ("goal_achieved",)
    assert (model.cap_per_episode_dkk, model.cap_per_provider_per_run_dkk, model.budget_per_run_dkk) == (None, None, None)


@pytest.mark.parametrize(
    "field, value, line, fragment",
    [
        ("share", "0", 3, "above 0 and at most 1"),
        ("share", "1.5", 3, "above 0 and at most 1"),
        ("share", "half", 3, "must be a number"),
        ("share", "true", 3, "must be a number"),
        ("qualifying_days", "0", 4, "at least 1"),
        ("qualifying_days", "1.5", 4, "whole number"),
        ("horizon_days", "30", 5, "at least qualifying_days (90)"),
        ("cap_per_episode_dkk", "-1", 6, "must not be negative"),
        ("cap_per_episode_dkk", "100.001", 6, "at most 2 decimals"),
        ("interventions", "SEL85", 2, "must be a list"),
        ("interventions", "[]", 2, "at least one"),
        ("interventions", "[SEL85, SEL85]", 2, "listed twice"),
        ("model_id", "'bad id'", 1, "letters, digits"),
        ("exit_reasons", "goal_achieved", 9, "must be a list"),
    ],
)
def test_bad_fields_are_named_with_file_and_line(field, value, line, fragment):
    lines = GOOD.splitlines()
    index = next(i for i, l in enumerate(lines) if l.startswith(field + ":"))
    lines[index] = f"{field}: {value}"
    found = problems("\n".join(lines) + "\n")
    assert list(found) == [("m.yml", line, field)]
    assert fragment in found[("m.yml", line, field)]


def test_every_problem_is_reported_at_once():
    found = problems("model_id: m\nshare: 2\nqualifying_days: 10\nhorizon_days: 5\ncolour: red\n")
    assert set(found) == {
        ("m.yml", None, "interventions"),
        ("m.yml", 2, "share"),
        ("m.yml", 4, "horizon_days"),
        ("m.yml", 5, "colour"),
    }
    assert found[("m.yml", None, "interventions")] == "missing (required)"
    assert found[("m.yml", 5, "colour")].startswith("unknown field")


def test_not_yaml_or_not_a_mapping():
    assert list(problems("model_id: [unclosed\n"))[0][0] == "m.yml"
    assert "mapping" in list(problems("- a\n- b\n").values())[0]


def test_load_model_names_a_missing_file(tmp_path):
    with pytest.raises(InputError, match="model file not found"):
        load_model(tmp_path / "nope.yml")
    (tmp_path / "m.yml").write_text(GOOD, encoding="utf-8")
    assert load_model(tmp_path / "m.yml").source == str(tmp_path / "m.yml")


@pytest.mark.parametrize("name", ["bostoette-2025.yml", "botilbud-108-2025.yml"])
def test_shipped_models_are_valid(name):
    from importlib import resources

    model = load_model(resources.files("incentive_models") / "models" / name)
    assert model.model_id == name[:-4]


# --- hostile text --------------------------------------------------------------------

REST = "model_id: m\ninterventions: [SEL85]\nshare: 0.5\nqualifying_days: 90\nhorizon_days: 365\n"


def alias_bomb() -> str:
    """'Billion laughs': nine levels of nine aliases, 9**9 = 387,420,489 strings once
    expanded, in 489 bytes (padded with a comment to the size the issue reports)."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    text = REST + "\n".join(lines) + "\nexit_reasons: *i\n"
    return text + "#" * (489 - len(text) - 1) + "\n"


def test_an_alias_bomb_is_refused_at_its_lines_without_expanding_it():
    bomb = alias_bomb()
    assert len(bomb.encode()) == 489
    with pytest.raises(InputError) as caught:
        parse_model(bomb, "m.yml")
    found = caught.value.problems
    first_anchor = REST.count("\n") + 1  # the line of a: &a [...]
    assert (found[0].line, found[0].column) == (first_anchor, "a")
    assert found[0].message.startswith("YAML anchors (&name) are not accepted")
    aliases = [p for p in found if p.message.startswith("YAML aliases")]
    assert len(aliases) == 8 * 9 + 1  # nine on each of lines b..i, and exit_reasons: *i
    assert aliases[-1].line == first_anchor + 9 and aliases[-1].column == "exit_reasons"
    assert len(str(caught.value)) < 100 * 50  # at most 50 problems shown, none of them expanded
    assert "lol" not in str(caught.value)


def test_a_single_alias_is_refused_too():
    found = problems(REST.replace("interventions: [SEL85]", "interventions: &x [SEL85]") + "exit_reasons: *x\n")
    assert set(found) == {("m.yml", 2, "interventions"), ("m.yml", 6, "exit_reasons")}


def test_a_30_mb_model_is_refused_by_its_size_without_being_read():
    huge = REST + "exit_reasons:\n" + "  - goal_achieved_but_padded_to_be_long\n" * (30 * 1024 * 1024 // 38)
    assert len(huge) > 30 * 1024 * 1024
    with pytest.raises(InputError) as caught:
        parse_model(huge, "m.yml")
    [problem] = caught.value.problems
    assert problem.line is None and f"at most {64 * 1024:,} (64 KB)" in problem.message
    assert len(str(caught.value)) < 200


def test_a_model_just_under_the_limit_is_read():
    text = REST + "# " + "x" * (64 * 1024 - len(REST) - 3) + "\n"
    assert len(text.encode()) == 64 * 1024
    assert parse_model(text, "m.yml").model_id == "m"


def test_deep_nesting_is_refused():
    found = problems(REST + "exit_reasons: " + "[" * 50 + "]" * 50 + "\n")
    assert list(found.values()) == ["nested more than 10 levels deep"]


@pytest.mark.parametrize(
    "text, line, column",
    [
        (REST + "exit_reasons: [goal_achieved, 010190-1234]\n", 6, "exit_reasons"),
        (REST + "exit_reasons:\n  - goal_achieved\n  - 'CPR 010190\u20131234'\n", 8, "exit_reasons"),
        (REST.replace("model_id: m", "model_id: 0101901234"), 1, "model_id"),
        (REST.replace("[SEL85]", "[SEL85, 01-01-90-1234]"), 2, "interventions"),
        (REST + "0101901234: x\n", 6, "model"),
        # a comment is stored with the model's text (settlement_run.model_yaml) too
        (REST + "# borger 010190-1234\n", 6, "comment"),
        (REST.replace("share: 0.5", "share: 0.5  # aftalt med 010190-1234"), 3, "comment"),
    ],
)
def test_a_cpr_number_anywhere_is_refused_without_repeating_it(text, line, column):
    with pytest.raises(InputError) as caught:
        parse_model(text, "m.yml")
    assert [str(p) for p in caught.value.problems] == [f"m.yml:{line}: {column}: looks like a CPR number"]
    assert "1234" not in str(caught.value)


def test_bad_values_are_quoted_short():
    found = problems(REST.replace("share: 0.5", "share: " + "x" * 10_000))
    [message] = found.values()
    assert message.startswith("must be a number, not 'xxx") and message.endswith("xxx...")
    assert len(message) < 80
    found = problems(REST + "k" * 1000 + ": 1\n")
    [(_, _, column)] = found
    assert len(column) <= 40


def test_a_model_file_over_64_kb_is_refused(tmp_path):
    path = tmp_path / "big.yml"
    path.write_text(REST + "#" * (64 * 1024) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"big.yml: the model is [\d,]+ bytes; at most 65,536 \(64 KB\)"):
        load_model(path)


@pytest.mark.parametrize("field, amount", [("budget_per_run_dkk", "15012500.00"), ("cap_per_provider_per_run_dkk", "31129000.50")])
def test_an_amount_that_reads_like_ten_digits_is_not_a_cpr_number(field, amount):
    # 150125 00.00 has the shape of DDMMYY + 4 digits, but it is a number, not text
    assert getattr(parse_model(REST + f"{field}: {amount}\n", "m.yml"), field) == Decimal(amount)
