"""The socialbench REST API inside Superset: settlement runs under Superset's own permissions.

Registered by `superset_plugins.config.FLASK_APP_MUTATOR` at `/api/v1/socialbench/`:

| method | path                              | permission (on SocialbenchSettlement) |
|--------|-----------------------------------|---------------------------------------|
| GET    | /runs                             | can_read                              |
| GET    | /runs/<run_id>                    | can_read                              |
| GET    | /runs/<run_id>/lines              | can_read                              |
| GET    | /runs/<run_id>/statement?format=  | can_read                              |
| POST   | /runs  {"model": ..., "as_of": ...} | can_write (a draft run)             |
| POST   | /runs/<run_id>/approve            | can_approve                           |
| GET    | /forecast?municipality=&year=     | can_read_forecast                     |

The API only parses, calls `incentive_models` and turns its errors into HTTP answers:
bad input is 400 with {"message": ...} naming the field, an unknown run 404, a rule that
forbids the action (e.g. approving twice, or losing a race to approve) 409. Amounts are
strings with two decimals (exact kroner and øre), dates ISO `YYYY-MM-DD`.

Hostile input: a request body over `MAX_BODY_BYTES` (256 KB) is refused with 413 before
it is parsed; a model's YAML is read by `incentive_models.model.parse_model` (at most
64 KB, no anchors or aliases, no CPR numbers); messages quote at most a few dozen
characters of any value, so an error never echoes the input. `GET /runs` leaves out each
run's model text (`model_yaml`): `GET /runs/<run_id>` has it.

`GET /forecast` returns the year-end forecast (fc_forecast) as `socialbench forecast --json`
prints it (both read `socialbench.forecast.figures`). It has its own permission, so that a
municipality's finance staff can read their forecast without reading every municipality's
settlement runs, and it is filtered by municipality as the dashboards are: a user with
Kommune roles (`superset_plugins.roles`) gets only those municipalities' rows.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
from decimal import Decimal

import pandas as pd
import yaml
from flask import request, send_file
from flask_appbuilder.api import BaseApi, expose, protect, safe
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from incentive_models.model import parse_model, short_repr
from incentive_models.runs import ApprovalRefused, RunNotFound, approve, create_draft, get_run, list_runs, run_lines
from incentive_models.statement import statement_bytes
from socialbench.errors import InputError, SocialbenchError
from socialbench.forecast.figures import forecast_rows, json_rows
from superset_plugins.settings import PERMISSION_VIEW, warehouse_engine

MAX_BODY_BYTES = 256 * 1024
# Left out of GET /runs (a model's text can be up to 64 KB); GET /runs/<run_id> has it.
LIST_LEAVES_OUT = ("model_yaml",)

STATEMENT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


class ModelField(fields.Field):
    """An incentive model: its YAML text, or the same fields as a JSON object."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, dict):
            try:
                text = yaml.safe_dump(value, sort_keys=False, allow_unicode=True)
            except RecursionError:
                raise ValidationError("nested too deeply to be a model") from None
        elif isinstance(value, str):
            text = value
        else:
            raise ValidationError("must be the model as YAML text or as an object")
        try:
            return parse_model(text, "model")
        except InputError as error:
            raise ValidationError({p.column or "model": [p.message] for p in error.problems}) from None


# The name of a Kommune role (`superset_plugins.roles.role_name`: "Kommune 101 København").
KOMMUNE_ROLE = re.compile(r"Kommune (\d+)(?: |$)")


def own_municipalities(role_names) -> set[int] | None:
    """The municipalities a user with these roles may see: those of their Kommune roles, or
    None (every municipality) for a user without a Kommune role, as row-level security does."""
    codes = {int(found.group(1)) for name in role_names if (found := KOMMUNE_ROLE.match(name))}
    return codes or None


class ForecastQuerySchema(Schema):
    """Query string of GET /forecast."""

    class Meta:
        unknown = RAISE

    municipality = fields.Integer(
        error_messages={"invalid": "not a whole number"},
        validate=validate.Range(min=1, max=9999, error="must be a municipality code (a whole number)"),
    )
    year = fields.Integer(
        error_messages={"invalid": "not a whole number"},
        validate=validate.Range(min=1, max=9999, error="must be a year (a whole number)"),
    )


class DraftRunSchema(Schema):
    """Body of POST /runs."""

    class Meta:
        unknown = RAISE

    model = ModelField(required=True)
    as_of = fields.Date(
        required=True, format="%Y-%m-%d", error_messages={"invalid": "not a date YYYY-MM-DD"}
    )


class StatementQuerySchema(Schema):
    """Query string of GET /runs/<run_id>/statement."""

    class Meta:
        unknown = RAISE

    format = fields.String(
        required=True,
        validate=validate.OneOf(list(STATEMENT_FORMATS), error="must be one of csv, xlsx, pdf"),
    )
    provider = fields.String(validate=validate.Length(min=1, error="must not be empty"))


def _message(errors, prefix: str = "") -> list[str]:
    """Marshmallow's nested error dict as lines `field: message` (`model.share: ...`)."""
    if isinstance(errors, list):
        texts = [m for m in errors if isinstance(m, str)]
        text = texts[0] if texts else "invalid"
        text = {
            "Missing data for required field.": "missing (required)",
            "Unknown field.": "unknown field",
            "Field may not be null.": "must have a value",
        }.get(text, text)
        return [f"{prefix}: {text}" if prefix else text]
    lines = []
    for key, value in errors.items():
        key = str(key) if len(str(key)) <= 40 else short_repr(str(key))
        lines += _message(value, f"{prefix}.{key}" if prefix else key)
    return lines


def _plain(value):
    """A JSON value: money as exact text, dates as ISO text, missing as null."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.isoformat(sep=" ") if value.time() != dt.time(0) else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalar
        return _plain(value.item())
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{k: _plain(v) for k, v in row.items()} for row in frame.astype(object).to_dict("records")]


class SocialbenchRestApi(BaseApi):
    resource_name = "socialbench"
    route_base = "/api/v1/socialbench"
    openapi_spec_tag = "Socialbench"
    allow_browser_login = True
    class_permission_name = PERMISSION_VIEW
    method_permission_name = {
        "list_runs": "read",
        "get_run": "read",
        "run_lines": "read",
        "statement": "read",
        "create_run": "write",
        "approve_run": "approve",
        "forecast": "read_forecast",
    }

    # --- helpers -----------------------------------------------------------------
    def _bad(self, lines: list[str]):
        return self.response(400, message="; ".join(lines))

    def _find_run(self, engine, run_id: str) -> dict | None:
        try:
            return {k: _plain(v) for k, v in get_run(engine, run_id).items()}
        except RunNotFound:
            return None

    def _not_found(self, run_id: str):
        return self.response(404, message=f"no settlement run {short_repr(run_id, 80)}")

    def _json_body(self):
        """The request's JSON body, read at most MAX_BODY_BYTES; (body, None) or (None, error response)."""
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            return None, self._too_large()
        raw = request.stream.read(MAX_BODY_BYTES + 1)
        if len(raw) > MAX_BODY_BYTES:
            return None, self._too_large()
        try:
            body = json.loads(raw.decode("utf-8"))
        except (ValueError, RecursionError):
            body = None
        if not isinstance(body, dict):
            return None, self._bad(['the body must be a JSON object {"model": ..., "as_of": "YYYY-MM-DD"}'])
        return body, None

    def _too_large(self):
        return self.response(413, message=f"the body is larger than {MAX_BODY_BYTES // 1024} KB; a model is at most 64 KB")

    # --- endpoints ---------------------------------------------------------------
    @expose("/runs", methods=("GET",))
    @protect()
    @safe
    def list_runs(self):
        """List settlement runs, by model, as-of date and creation.
        ---
        get:
          summary: Settlement runs (model, as_of, status, totals)
          responses:
            200:
              description: the runs
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
        """
        frame = list_runs(warehouse_engine())
        runs = _records(frame.drop(columns=[c for c in LIST_LEAVES_OUT if c in frame.columns]))
        return self.response(200, result=runs, count=len(runs))

    @expose("/runs/<run_id>", methods=("GET",))
    @protect()
    @safe
    def get_run(self, run_id: str):
        """One settlement run.
        ---
        get:
          summary: One settlement run
          parameters:
          - in: path
            name: run_id
            schema:
              type: string
          responses:
            200:
              description: the run
            404:
              $ref: '#/components/responses/404'
        """
        run = self._find_run(warehouse_engine(), run_id)
        if run is None:
            return self._not_found(run_id)
        return self.response(200, result=run)

    @expose("/runs/<run_id>/lines", methods=("GET",))
    @protect()
    @safe
    def run_lines(self, run_id: str):
        """The lines of a settlement run (one per episode).
        ---
        get:
          summary: The lines of a settlement run
          parameters:
          - in: path
            name: run_id
            schema:
              type: string
          responses:
            200:
              description: the lines
            404:
              $ref: '#/components/responses/404'
        """
        engine = warehouse_engine()
        run = self._find_run(engine, run_id)
        if run is None:
            return self._not_found(run_id)
        lines = _records(run_lines(engine, run["run_id"]))
        return self.response(200, result=lines, count=len(lines))

    @expose("/runs", methods=("POST",))
    @protect()
    @safe
    def create_run(self):
        """Compute and store a draft run.
        ---
        post:
          summary: Compute a draft settlement run
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    model:
                      description: the incentive model, as YAML text or as an object
                    as_of:
                      type: string
                      format: date
          responses:
            201:
              description: the draft run
            400:
              $ref: '#/components/responses/400'
        """
        body, refused = self._json_body()
        if refused is not None:
            return refused
        try:
            data = DraftRunSchema().load(body)
        except ValidationError as error:
            return self._bad(_message(error.normalized_messages()))
        engine = warehouse_engine(read_only=False)
        try:
            run_id = create_draft(engine, data["model"], data["as_of"])
        except InputError as error:  # e.g. an as_of in the future or after the data's last load
            return self._bad([str(p) for p in error.problems[:10]])
        except ApprovalRefused as error:  # e.g. a model whose scope overlaps an approved one
            return self.response(409, message=str(error))
        except SocialbenchError as error:  # RuleError: e.g. a missing rate
            return self._bad([str(error)])
        return self.response(201, result=self._find_run(engine, run_id))

    @expose("/runs/<run_id>/approve", methods=("POST",))
    @protect()
    @safe
    def approve_run(self, run_id: str):
        """Approve a draft run (needs can_approve).
        ---
        post:
          summary: Approve a draft settlement run; approved runs are immutable
          parameters:
          - in: path
            name: run_id
            schema:
              type: string
          responses:
            200:
              description: the approved run
            404:
              $ref: '#/components/responses/404'
            409:
              description: the rules forbid approving this run (the message says why)
        """
        engine = warehouse_engine(read_only=False)
        run = self._find_run(engine, run_id)
        if run is None:
            return self._not_found(run_id)
        try:
            approve(engine, run["run_id"])
        except InputError as error:
            return self._bad([str(p) for p in error.problems[:10]])
        except SocialbenchError as error:  # ApprovalRefused: the message says what to do
            return self.response(409, message=str(error))
        return self.response(200, result=self._find_run(engine, run_id))

    @expose("/runs/<run_id>/statement", methods=("GET",))
    @protect()
    @safe
    def statement(self, run_id: str):
        """Download the statement of a run (all providers, or one).
        ---
        get:
          summary: The Danish statement of a run as csv, xlsx or pdf
          parameters:
          - in: path
            name: run_id
            schema:
              type: string
          - in: query
            name: format
            schema:
              type: string
              enum: [csv, xlsx, pdf]
          - in: query
            name: provider
            schema:
              type: string
          responses:
            200:
              description: the file
            400:
              $ref: '#/components/responses/400'
            404:
              $ref: '#/components/responses/404'
        """
        try:
            query = StatementQuerySchema().load(request.args.to_dict())
        except ValidationError as error:
            return self._bad(_message(error.normalized_messages()))
        engine = warehouse_engine()
        run = self._find_run(engine, run_id)
        if run is None:
            return self._not_found(run_id)
        fmt, provider = query["format"], query.get("provider")
        try:
            content = statement_bytes(engine, run["run_id"], fmt, provider)
        except SocialbenchError as error:  # e.g. a provider without lines in the run
            return self._bad([f"provider: {error}" if provider else str(error)])
        name = f"afregning-{run['run_id']}" + (f"-{provider}" if provider else "") + f".{fmt}"
        return send_file(
            io.BytesIO(content),
            mimetype=STATEMENT_FORMATS[fmt],
            as_attachment=True,
            download_name=name,
        )

    @expose("/forecast", methods=("GET",))
    @protect()
    @safe
    def forecast(self):
        """The year-end forecast per municipality and intervention (fc_forecast).
        ---
        get:
          summary: The year-end forecast (forventet regnskab) per municipality and intervention
          parameters:
          - in: query
            name: municipality
            schema:
              type: integer
          - in: query
            name: year
            schema:
              type: integer
          responses:
            200:
              description: the rows of fc_forecast (amounts as exact decimal strings), only the user's own municipalities for a user with Kommune roles
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
        """
        from superset import security_manager  # lazy: the app's own security manager

        try:
            query = ForecastQuerySchema().load(request.args.to_dict())
        except ValidationError as error:
            return self._bad(_message(error.normalized_messages()))
        allowed = own_municipalities(role.name for role in security_manager.get_user_roles())
        with warehouse_engine().connect() as conn:
            rows = forecast_rows(
                conn, municipality_code=query.get("municipality"), year=query.get("year"), municipality_codes=allowed
            )
        result = json_rows(rows)
        return self.response(200, result=result, count=len(result))
