"""Marshmallow schemas for every loadable table: one row of a tidy CSV file.

The same schemas validate CSV loads, Statistics Denmark imports and the REST API.
Fields take the text of a CSV cell; empty cells arrive as None.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from marshmallow import Schema, ValidationError, fields, validate, validates

from socialbench.cpr import CPR_MESSAGE, looks_like_cpr



class _CprDetector:
    """`CPR_LIKE.match(text)` as before, now the one detector (socialbench.cpr).

    Kept only for tests/socialbench/test_demo_data.py; new code calls looks_like_cpr."""

    @staticmethod
    def match(text: str) -> bool:
        return looks_like_cpr(text)


CPR_LIKE = _CprDetector()


class Amount(fields.Field):
    """An exact decimal number with at most `places` decimals, optionally non-negative."""

    def __init__(self, places: int = 2, minimum: Decimal | None = None, **kwargs):
        super().__init__(**kwargs)
        self.places = places
        self.minimum = minimum

    def _deserialize(self, value, attr, data, **kwargs):
        text = str(value).strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationError(f"not a number: {text!r}")
        if not number.is_finite():
            raise ValidationError(f"not a number: {text!r}")
        if -number.as_tuple().exponent > self.places:
            raise ValidationError(f"more than {self.places} decimals: {text!r}")
        if self.minimum is not None and number < self.minimum:
            raise ValidationError(f"must not be below {self.minimum}: {text!r}")
        return number


class Whole(fields.Integer):
    """An integer written as digits (no decimals), e.g. `2024` or `101`."""

    def __init__(self, **kwargs):
        super().__init__(strict=False, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = str(value).strip()
        if not re.fullmatch(r"[+-]?\d+", text):
            raise ValidationError(f"not a whole number: {text!r}")
        return int(text)


def _year() -> Whole:
    return Whole(required=True, validate=validate.Range(1900, 2100, error="year must be 1900-2100"))


def _code() -> fields.String:
    return fields.String(required=True, validate=validate.Length(min=1, error="must not be empty"))


def _iso_date(**kwargs) -> fields.Date:
    return fields.Date(format="%Y-%m-%d", error_messages={"invalid": "not a date YYYY-MM-DD"}, **kwargs)


class PopulationSchema(Schema):
    municipality_code = Whole(required=True)
    year = _year()
    age = Whole(required=True, validate=validate.Range(0, 130, error="age must be 0-130"))
    persons = Whole(required=True, validate=validate.Range(min=0, error="must not be negative"))


class ExpenditureSchema(Schema):
    municipality_code = Whole(required=True)
    year = _year()
    function_code = fields.String(
        required=True,
        validate=validate.Regexp(r"^\d\.\d{2}\.\d{2}$", error="function code must look like 5.28.22"),
    )
    kind = fields.String(required=True, validate=validate.OneOf(["actual", "budget"], error="must be actual or budget"))
    amount_dkk = Amount(places=2, required=True)  # net expenditure may be negative


class FullYearCitizensSchema(Schema):
    municipality_code = Whole(required=True)
    year = _year()
    intervention_code = _code()
    full_year_citizens = Amount(places=4, minimum=Decimal(0), required=True)


class PriceIndexSchema(Schema):
    year = _year()
    index_value = Amount(places=6, required=True)

    @validates("index_value")
    def _positive(self, value, **kwargs):
        if value <= 0:
            raise ValidationError("must be positive")


class StructuralIndicatorsSchema(Schema):
    municipality_code = Whole(required=True)
    year = _year()
    indicator = _code()
    value = fields.Float(required=True, allow_nan=False, error_messages={"invalid": "not a number"})


class ProvidersSchema(Schema):
    provider_id = _code()
    provider_name = _code()


class GrantsSchema(Schema):
    grant_id = _code()
    citizen_key = _code()
    municipality_code = Whole(required=True)
    provider_id = _code()
    intervention_code = _code()
    start_date = _iso_date(required=True)
    end_date = _iso_date(allow_none=True, load_default=None)
    end_reason = fields.String(allow_none=True, load_default=None)

    @validates("citizen_key")
    def _not_cpr(self, value, **kwargs):
        if looks_like_cpr(value):
            raise ValidationError(f"{CPR_MESSAGE}: use a pseudonym, never a CPR number")


class AssessmentsSchema(Schema):
    grant_id = _code()
    assessed_on = _iso_date(required=True)
    support_level = Whole(required=True, validate=validate.Range(0, 4, error="support level must be 0-4"))


class RatesSchema(Schema):
    intervention_code = _code()
    support_level = Whole(required=True, validate=validate.Range(0, 4, error="support level must be 0-4"))
    valid_from = _iso_date(required=True)
    daily_rate_dkk = Amount(places=2, minimum=Decimal(0), required=True)


SCHEMAS: dict[str, type[Schema]] = {
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
