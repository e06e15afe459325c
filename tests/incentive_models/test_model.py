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
