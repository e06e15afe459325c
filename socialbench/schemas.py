"""Marshmallow schemas for every loadable table: one row of a tidy CSV file.

The same schemas validate CSV loads, Statistics Denmark imports and the REST API.
Fields take the text of a CSV cell; empty cells arrive as None. Every value is checked
against its column's SQL type (range, decimals) and every text against the CPR detector,
so that nothing the database would refuse, and no CPR number, gets past validation.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from marshmallow import Schema, ValidationError, fields, validate, validates

from socialbench import cvr
from socialbench.cpr import CPR_MESSAGE, looks_like_cpr


# ---------------------------------------------------------------- column types
# One declaration per SQL column type of sql/schema/001_core.sql: the range a value must
# lie in to be stored at all. A value outside it is a problem naming the range, never a
# database error (tests/socialbench/test_schemas_match_ddl.py checks each field's type
# against the DDL).


@dataclass(frozen=True)
class IntegerType:
    """SQL `integer`: four bytes on both engines."""

    name: str = "integer"
    lowest: int = -(2**31)
    highest: int = 2**31 - 1


@dataclass(frozen=True)
class NumericType:
    """SQL `numeric(precision, scale)`: |value| < 10^(precision - scale), `scale` decimals."""

    precision: int
    scale: int

    @property
    def name(self) -> str:
        return f"numeric({self.precision},{self.scale})"

    @property
    def highest(self) -> Decimal:
        return Decimal(10) ** (self.precision - self.scale) - Decimal(10) ** -self.scale


INTEGER = IntegerType()
DATE_RANGE = (dt.date.min, dt.date.max)  # SQL `date` as both engines and Python hold it: 0001-01-01..9999-12-31
TEXT_MAX_CHARS = 128 * 1024  # a text field (varchar); the csv module's own default field limit


# ---------------------------------------------------------------- plausibility bounds
# Values a column could store but no municipality can have: refused with the value and the
# bound. Structural indicators are also compared with the other municipalities' values
# (socialbench.loading.implausible_indicators).

# |net expenditure| of one municipality, function, year and kind: far above the whole
# annual budget of the largest municipality (Copenhagen, about 60 billion kroner).
EXPENDITURE_MAX_DKK = Decimal(100_000_000_000)
# A daily rate: far above any placement (the dearest cost tens of thousands of kroner a day).
DAILY_RATE_MAX_DKK = Decimal(1_000_000)
# |structural indicator|: any index, share, density or amount per inhabitant is far below.
INDICATOR_MAX_ABS = 1e12
# An indicator is refused if it lies more than this many standard deviations (of the other
# municipalities' values of the same indicator and year: leave-one-out, so that the value
# itself does not widen the bound) below the lowest or above the highest of those values,
# when at least INDICATOR_MIN_PEERS other values exist and they are not all equal
# (socialbench.loading.implausible_indicators).
INDICATOR_MAX_SD = 10
INDICATOR_MIN_PEERS = 10


# A number as a CSV cell writes it: ASCII digits, optional sign, point and exponent (what
# Decimal() and float() read, less their extras: `1_000`, `inf`, `NaN`, non-ASCII digits).
NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


def _shown(text: str, limit: int = 40) -> str:
    """A cell as quoted in a message: repr, cut after `limit` characters (never echo a huge cell)."""
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


class Amount(fields.Field):
    """An exact decimal number in a `numeric(p, s)` column (at most s decimals), optionally
    non-negative and within a plausibility bound `plausible` (|value| at most)."""

    def __init__(
        self,
        sql_type: NumericType,
        minimum: Decimal | None = None,
        plausible: Decimal | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.sql_type = sql_type
        self.places = sql_type.scale
        self.minimum = minimum
        self.plausible = plausible

    def _deserialize(self, value, attr, data, **kwargs):
        text = str(value).strip()
        if not NUMBER.fullmatch(text):
            raise ValidationError(f"not a number: {_shown(text)}")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationError(f"not a number: {_shown(text)}")
        if not number.is_finite():
            raise ValidationError(f"not a number: {_shown(text)}")
        if -number.as_tuple().exponent > self.places:
            raise ValidationError(f"more than {self.places} decimals: {_shown(text)}")
        if self.minimum is not None and number < self.minimum:
            raise ValidationError(f"must not be below {self.minimum}: {_shown(text)}")
        highest = self.sql_type.highest
        if number.copy_abs() > highest:  # copy_abs: no context, so 1e999999999 cannot overflow
            lowest = -highest if self.minimum is None else self.minimum
            raise ValidationError(f"out of range: {_shown(text)} (must be {lowest} to {highest}, {self.sql_type.name})")
        if self.plausible is not None and number.copy_abs() > self.plausible:
            raise ValidationError(
                f"implausible value {_shown(text)}: must not exceed {self.plausible} in absolute value (a plausibility bound)"
            )
        return number


class Whole(fields.Integer):
    """An integer written as digits (no decimals), e.g. `2024` or `101`, in an `integer` column."""

    def __init__(self, sql_type: IntegerType = INTEGER, **kwargs):
        super().__init__(strict=False, **kwargs)
        self.sql_type = sql_type

    def _deserialize(self, value, attr, data, **kwargs):
        text = str(value).strip()
        if not WHOLE_NUMBER.fullmatch(text):
            raise ValidationError(f"not a whole number: {_shown(text)}")
        digits = text.lstrip("+-").lstrip("0")
        number = int(text) if len(digits) <= 19 else None  # no int() of a 5,000-digit string
        if number is None or not self.sql_type.lowest <= number <= self.sql_type.highest:
            raise ValidationError(
                f"out of range: {_shown(text)[1:-1]} (must be {self.sql_type.lowest} to {self.sql_type.highest}, {self.sql_type.name})"
            )
        return number




class Real(fields.Float):
    """A float8 value: finite, and at most `plausible` in absolute value."""

    def __init__(self, plausible: float, **kwargs):
        super().__init__(
            allow_nan=False,
            error_messages={"invalid": "not a number", "special": "not a finite number"},
            **kwargs,
        )
        self.plausible = plausible

    def _deserialize(self, value, attr, data, **kwargs):
        if not NUMBER.fullmatch(str(value).strip()):
            raise self.make_error("invalid")
        number = super()._deserialize(str(value).strip(), attr, data, **kwargs)
        if abs(number) > self.plausible:
            raise ValidationError(
                f"implausible value {number!r}: must not exceed {self.plausible:g} in absolute value (a plausibility bound)"
            )
        return number


# Text-direction overrides and isolates: they make a statement show other text than it holds.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def is_hidden_control(ch: str) -> bool:
    """A control character that text may not hold: C0/C1 controls and DEL (ESC starts a
    terminal escape), except tab, line feed and carriage return, and the bidirectional
    overrides and isolates."""
    return (unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\x00") or ch in BIDI_CONTROLS


class Text(fields.String):
    """A text cell: no NUL byte, at most TEXT_MAX_CHARS characters, and never a CPR number
    (socialbench.cpr); `cpr_hint` is added to the CPR message."""

    def __init__(self, cpr_hint: str = "", **kwargs):
        super().__init__(**kwargs)
        self.cpr_message = CPR_MESSAGE + cpr_hint

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise ValidationError("contains a NUL byte")
        hidden = next((ch for ch in text if is_hidden_control(ch)), None)
        if hidden is not None:
            raise ValidationError(
                f"contains the control character U+{ord(hidden):04X} (terminal escapes and text-direction "
                f"overrides are not accepted in text)"
            )
        if len(text) > TEXT_MAX_CHARS:
            raise ValidationError(f"longer than {TEXT_MAX_CHARS} characters")
        if looks_like_cpr(text):
            raise ValidationError(self.cpr_message)
        return text


class Day(fields.Date):
    """A date written YYYY-MM-DD, within the SQL date range."""

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", error_messages={"invalid": "not a date YYYY-MM-DD"}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = str(value).strip()
        shaped = re.fullmatch(r"([+-]?[0-9]+)-[0-9]{2}-[0-9]{2}", text)
        if shaped and not 1 <= int(shaped.group(1)[:6]) <= 9999:
            low, high = DATE_RANGE
            raise ValidationError(f"out of range: {_shown(text)} (dates must be {low} to {high})")
        if not re.fullmatch(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}", text):  # strptime also reads non-ASCII digits
            raise self.make_error("invalid")
        return super()._deserialize(text, attr, data, **kwargs)


def _year() -> Whole:
    return Whole(required=True, validate=validate.Range(1900, 2100, error="year must be 1900-2100"))


def _code() -> Text:
    return Text(required=True, validate=validate.Length(min=1, error="must not be empty"))


def _iso_date(**kwargs) -> Day:
    return Day(**kwargs)


class PopulationSchema(Schema):
    municipality_code = Whole(required=True)
    year = _year()
    age = Whole(required=True, validate=validate.Range(0, 130, error="age must be 0-130"))
    persons = Whole(required=True, validate=validate.Range(min=0, error="must not be negative"))


class ExpenditureSchema(Schema):
    municipality_code = Whole(required=True)
    year = _year()
    function_code = Text(
        required=True,
        validate=validate.Regexp(r"^\d\.\d{2}\.\d{2}$", error="function code must look like 5.28.22"),
    )
    kind = Text(required=True, validate=validate.OneOf(["actual", "budget"], error="must be actual or budget"))
    amount_dkk = Amount(NumericType(18, 2), plausible=EXPENDITURE_MAX_DKK, required=True)  # net: may be negative


class FullYearCitizensSchema(Schema):
    municipality_code = Whole(required=True)
    year = _year()
    intervention_code = _code()
    full_year_citizens = Amount(NumericType(14, 4), minimum=Decimal(0), required=True)


class PriceIndexSchema(Schema):
    year = _year()
    index_value = Amount(NumericType(14, 6), required=True)

    @validates("index_value")
    def _positive(self, value, **kwargs):
        if value <= 0:
            raise ValidationError("must be positive")


class StructuralIndicatorsSchema(Schema):
    municipality_code = Whole(required=True)
    year = _year()
    indicator = _code()
    value = Real(plausible=INDICATOR_MAX_ABS, required=True)


def _cvr_number(value: str) -> None:
    message = cvr.problem(value)
    if message:
        raise ValidationError(message)


class ProvidersSchema(Schema):
    provider_id = _code()
    provider_name = _code()
    owner_municipality_code = Whole(allow_none=True, load_default=None)
    cvr = Text(allow_none=True, load_default=None, validate=_cvr_number)


class GrantsSchema(Schema):
    grant_id = _code()
    citizen_key = Text(
        cpr_hint=": use a pseudonym, never a CPR number",
        required=True,
        validate=validate.Length(min=1, error="must not be empty"),
    )
    municipality_code = Whole(required=True)
    provider_id = _code()
    intervention_code = _code()
    start_date = _iso_date(required=True)
    end_date = _iso_date(allow_none=True, load_default=None)
    end_reason = Text(allow_none=True, load_default=None)
    case_id = Text(allow_none=True, load_default=None)


class AssessmentsSchema(Schema):
    grant_id = _code()
    assessed_on = _iso_date(required=True)
    support_level = Whole(required=True, validate=validate.Range(0, 4, error="support level must be 0-4"))


class RatesSchema(Schema):
    intervention_code = _code()
    support_level = Whole(required=True, validate=validate.Range(0, 4, error="support level must be 0-4"))
    provider_id = Text(allow_none=True, load_default=None)  # empty: the general rate (stored as '')
    valid_from = _iso_date(required=True)
    daily_rate_dkk = Amount(NumericType(12, 2), minimum=Decimal(0), plausible=DAILY_RATE_MAX_DKK, required=True)


class Flag(fields.Field):
    """A boolean written `true` or `false` (any case), in a `boolean` column."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = str(value).strip().lower()
        if text not in ("true", "false"):
            raise ValidationError(f"must be true or false: {_shown(str(value))}")
        return text == "true"


# A declared bound of a column, as dbt_utils writes it: `expression_is_true: {expression: "> 0"}`.
BOUND = re.compile(r"\s*(>=|>|<=|<)\s*(-?[0-9]+(?:\.[0-9]+)?)\s*")
BOUND_WORDS = {">": "greater than", ">=": "at least", "<": "less than", "<=": "at most"}


def declared_bounds(tests: list) -> list[validate.Validator]:
    """A range validator for every declared bound of a column (other expressions are data
    tests only)."""
    out = []
    for test in tests:
        expression = test.get("expression_is_true", {}).get("expression", "") if isinstance(test, dict) else ""
        found = BOUND.fullmatch(expression)
        if found is None:
            continue
        op, number = found.group(1), Decimal(found.group(2))
        limits = {"min": number, "min_inclusive": op == ">="} if op.startswith(">") else {"max": number, "max_inclusive": op == "<="}
        out.append(validate.Range(**limits, error=f"must be {BOUND_WORDS[op]} {number}: {{input}}"))
    return out


def _field_from_column(column: dict) -> fields.Field:
    """The field a documented column gets when no hand-written schema refines it: its SQL
    type's range, required when `not_null`, one of the `accepted_values` if declared, within
    its declared bounds (`expression_is_true` of the form `> 0`, `<= 1`)."""
    tests = column.get("tests") or []
    required = "not_null" in tests
    options = {"required": True} if required else {"allow_none": True, "load_default": None}
    validators = declared_bounds(tests)
    accepted = [t["accepted_values"]["values"] for t in tests if isinstance(t, dict) and "accepted_values" in t]
    if accepted:
        values = accepted[0]
        validators.append(validate.OneOf(values, error="must be one of " + ", ".join(str(v) for v in values)))
    if validators:
        options["validate"] = validators
    kind = str(column["type"]).lower().replace(" ", "")
    numeric = re.fullmatch(r"numeric\((\d+),(\d+)\)", kind)
    if kind == "integer":
        return Whole(**options)
    if numeric:
        return Amount(NumericType(int(numeric.group(1)), int(numeric.group(2))), **options)
    if kind == "date":
        return Day(**options)
    if kind in ("float8", "double", "doubleprecision"):
        return Real(plausible=INDICATOR_MAX_ABS, **options)
    if kind == "boolean":
        return Flag(**options)
    if kind == "varchar":
        if required and "validate" not in options:
            options["validate"] = [validate.Length(min=1, error="must not be empty")]
        return Text(**options)
    raise ValueError(f"column {column['name']}: no field for SQL type {column['type']!r}")


def schema_from_doc(doc: dict) -> type[Schema]:
    """A marshmallow schema for an input table documented in sql/tables/<table>.yml."""
    return Schema.from_dict({c["name"]: _field_from_column(c) for c in doc["columns"]}, name=f"{doc['name']}_schema")


def _declared_schemas() -> dict[str, type[Schema]]:
    """Every loadable table's schema: the hand-written one where it adds rules (ranges,
    patterns, plausibility bounds), else the one its yml declares (adding an input table
    is its yml file and its DDL migration)."""
    from socialbench.schema import docs  # the yml declarations (socialbench.schema reads no schemas)

    declared = {name: doc for name, doc in docs("tables").items() if (doc.get("meta") or {}).get("loadable")}
    return {name: HAND_WRITTEN.get(name) or schema_from_doc(doc) for name, doc in sorted(declared.items())}


HAND_WRITTEN: dict[str, type[Schema]] = {
    "population": PopulationSchema,
    "expenditure": ExpenditureSchema,
    "full_year_citizens": FullYearCitizensSchema,
    "price_index": PriceIndexSchema,
    "structural_indicators": StructuralIndicatorsSchema,
    "providers": ProvidersSchema,
    "grants": GrantsSchema,
    "assessments": AssessmentsSchema,
    "rates": RatesSchema,
}

SCHEMAS: dict[str, type[Schema]] = _declared_schemas()
