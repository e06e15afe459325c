"""The incentive model: a small YAML file, validated field by field.

```yaml
model_id: bostoette-2025          # text, required
interventions: [SEL85]            # the grants in scope, by intervention_code
share: 0.5                        # 0 < share <= 1: the provider's share of the saving
qualifying_days: 90               # >= 1
horizon_days: 365                 # >= qualifying_days
cap_per_episode_dkk: 60000        # optional
cap_per_provider_per_run_dkk: null   # optional
budget_per_run_dkk: null          # optional
exit_reasons: [goal_achieved]     # end_reason values that count as leaving support
```

Every bad field is reported as a `Problem` naming the file, the line of the field and the
field, and all of them are reported at once.

Hostile text is refused before it is read (the model may come through the REST API):

- at most `MAX_MODEL_BYTES` (64 KB, UTF-8; a real model is a few hundred bytes);
- no YAML anchors or aliases (`&a`, `*a`): refused at their line, never expanded, so an
  alias bomb ("billion laughs") costs nothing; nesting at most `MAX_DEPTH` levels;
- no text anywhere in the file (a field, a list entry, even a key) that looks like a CPR
  number (`socialbench.cpr`): `file:line: field: looks like a CPR number`, and the
  value is not repeated;
- messages quote a bad value at most `REPR_LIMIT` characters long (`short_repr`).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from socialbench.errors import InputError, Problem

DEFAULT_EXIT_REASONS = ("goal_achieved",)
MAX_MODEL_BYTES = 64 * 1024
MAX_DEPTH = 10
REPR_LIMIT = 40
MODEL_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


@dataclass(frozen=True)
class Model:
    """A validated incentive model. Money in kroner as exact Decimals."""

    model_id: str
    interventions: tuple[str, ...]
    share: Decimal
    qualifying_days: int
    horizon_days: int
    cap_per_episode_dkk: Decimal | None = None
    cap_per_provider_per_run_dkk: Decimal | None = None
    budget_per_run_dkk: Decimal | None = None
    exit_reasons: tuple[str, ...] = DEFAULT_EXIT_REASONS
    source: str = field(default="<model>", compare=False)
    text: str = field(default="", compare=False, repr=False)

    def canonical(self) -> dict:
        """The model's meaning as plain JSON values (no comments, no formatting)."""

        def money(value: Decimal | None) -> str | None:
            return None if value is None else format(value, "f")

        return {
            "model_id": self.model_id,
            "interventions": list(self.interventions),
            "share": format(self.share.normalize(), "f"),
            "qualifying_days": self.qualifying_days,
            "horizon_days": self.horizon_days,
            "cap_per_episode_dkk": money(self.cap_per_episode_dkk),
            "cap_per_provider_per_run_dkk": money(self.cap_per_provider_per_run_dkk),
            "budget_per_run_dkk": money(self.budget_per_run_dkk),
            "exit_reasons": list(self.exit_reasons),
        }

    def to_yaml(self) -> str:
        """The model as YAML text: the original text if it was read from one."""
        if self.text:
            return self.text
        return yaml.safe_dump(self.canonical(), sort_keys=False, allow_unicode=True)

    def sha256(self) -> str:
        return hashlib.sha256(json.dumps(self.canonical(), sort_keys=True).encode()).hexdigest()


def short_repr(value, limit: int = REPR_LIMIT) -> str:
    """repr(value) cut to `limit` characters ('...' marks the cut): messages never echo a
    whole input."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Exact(fields.Field):
    """A number read exactly (YAML floats via their shortest text), never a bool."""

    def __init__(self, places: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.places = places

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValidationError(f"must be a number, not {short_repr(value)}")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValidationError(f"must be a number, not {short_repr(value)}")
        if not number.is_finite():
            raise ValidationError(f"must be a finite number, not {short_repr(value)}")
        if self.places is not None and -number.as_tuple().exponent > self.places:
            raise ValidationError(f"at most {self.places} decimals (øre), not {short_repr(value)}")
        return number


class _Days(fields.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(f"must be a whole number of days, not {short_repr(value)}")
        return value


class _Codes(fields.Field):
    """A list of distinct non-empty texts (a single text is not accepted, to catch typos)."""

    def __init__(self, allow_empty: bool, **kwargs):
        super().__init__(**kwargs)
        self.allow_empty = allow_empty

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list):
            raise ValidationError(f"must be a list such as [SEL85], not {short_repr(value)}")
        if not value and not self.allow_empty:
            raise ValidationError("must name at least one")
        out = []
        for item in value:
            if not isinstance(item, str) or not item.strip():
                raise ValidationError(f"every entry must be a non-empty text, not {short_repr(item)}")
            if item.strip() in out:
                raise ValidationError(f"{short_repr(item.strip())} is listed twice")
            out.append(item.strip())
        return tuple(out)


def _non_negative(value: Decimal) -> None:
    if value < 0:
        raise ValidationError("must not be negative")


class ModelSchema(Schema):
    class Meta:
        unknown = RAISE

    model_id = fields.String(
        required=True,
        validate=validate.Regexp(
            MODEL_ID_PATTERN, error="must be letters, digits, '.', '_' or '-' (e.g. bostoette-2025)"
        ),
    )
    interventions = _Codes(allow_empty=False, required=True)
    share = _Exact(required=True)
    qualifying_days = _Days(required=True, validate=validate.Range(min=1, error="must be at least 1"))
    horizon_days = _Days(required=True, validate=validate.Range(min=1, error="must be at least 1"))
    cap_per_episode_dkk = _Exact(places=2, allow_none=True, load_default=None, validate=_non_negative)
    cap_per_provider_per_run_dkk = _Exact(places=2, allow_none=True, load_default=None, validate=_non_negative)
    budget_per_run_dkk = _Exact(places=2, allow_none=True, load_default=None, validate=_non_negative)
    exit_reasons = _Codes(allow_empty=True, load_default=DEFAULT_EXIT_REASONS)

    @validates_schema(skip_on_field_errors=False)
    def _check(self, data, **kwargs):
        errors = {}
        share = data.get("share")
        if share is not None and not (0 < share <= 1):
            errors["share"] = ["must be above 0 and at most 1 (e.g. 0.5)"]
        q, h = data.get("qualifying_days"), data.get("horizon_days")
        if isinstance(q, int) and isinstance(h, int) and h < q:
            errors["horizon_days"] = [f"must be at least qualifying_days ({q}), not {h}"]
        if errors:
            raise ValidationError(errors)


def _key_lines(text: str) -> dict[str, int]:
    """Line number (1-based) of each top-level key of a YAML mapping."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}


def _check_size(size: int, source: str) -> None:
    if size > MAX_MODEL_BYTES:
        raise InputError(
            [Problem(source, None, None, f"the model is {size:,} bytes; at most {MAX_MODEL_BYTES:,} (64 KB) are accepted")]
        )


_NUMBERS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}


def _is_number(event: yaml.ScalarEvent) -> bool:
    """A plain scalar YAML reads as a number (an amount such as 15012500.00 is no CPR text)."""
    if event.style is not None or not event.implicit[0]:
        return False
    return yaml.resolver.Resolver().resolve(yaml.nodes.ScalarNode, event.value, event.implicit) in _NUMBERS


def _comments(text: str):
    """(line, text) of every `#` comment: a `#` at the start of a line or after white space
    (inside a quoted value too: checking more text than needed is safe)."""
    for number, line in enumerate(text.splitlines(), start=1):
        for i, ch in enumerate(line):
            if ch == "#" and (i == 0 or line[i - 1].isspace()):
                yield number, line[i + 1:]
                break


def _refuse_hostile_text(text: str, source: str) -> None:
    """Size, anchors and aliases, nesting and CPR numbers, checked on the YAML events
    (nothing is constructed or expanded): InputError listing what is wrong."""
    from socialbench.cpr import CPR_MESSAGE, looks_like_cpr

    _check_size(len(text.encode("utf-8", "surrogatepass")), source)
    problems: list[Problem] = []
    # One entry per open collection: [is_mapping, the next node is a key].
    stack: list[list[bool]] = []
    field_name = None  # the top-level key whose value is being read

    def node_done() -> None:
        if stack and stack[-1][0]:
            stack[-1][1] = not stack[-1][1]

    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            line = event.start_mark.line + 1
            is_top_key = len(stack) == 1 and stack[0] == [True, True]
            if isinstance(event, yaml.AliasEvent):
                problems.append(Problem(source, line, field_name, "YAML aliases (*name) are not accepted: write the value out"))
                node_done()
                continue
            if getattr(event, "anchor", None) is not None:
                problems.append(Problem(source, line, field_name, "YAML anchors (&name) are not accepted: write the value out"))
            if isinstance(event, yaml.ScalarEvent):
                if is_top_key:
                    field_name = event.value if len(event.value) <= REPR_LIMIT and not looks_like_cpr(event.value) else "model"
                if not _is_number(event) and looks_like_cpr(event.value):
                    problems.append(Problem(source, line, "model" if is_top_key else field_name, CPR_MESSAGE))
                node_done()
            elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if len(stack) >= MAX_DEPTH:
                    problems.append(Problem(source, line, field_name, f"nested more than {MAX_DEPTH} levels deep"))
                    break
                stack.append([isinstance(event, yaml.MappingStartEvent), True])
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                stack.pop()
                node_done()
    except yaml.YAMLError:
        pass  # yaml.safe_load reports it with its line
    # Comments are kept in the stored model text too (settlement_run.model_yaml).
    for number, comment in _comments(text):
        if looks_like_cpr(comment):
            problems.append(Problem(source, number, "comment", CPR_MESSAGE))
    if problems:
        raise InputError(problems)


def parse_model(text: str, source: str = "<model>") -> Model:
    """Validate the YAML text of a model; raises InputError listing every bad field."""
    if not isinstance(text, str):
        raise InputError([Problem(source, None, None, "a model must be YAML text")])
    _refuse_hostile_text(text, source)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise InputError([Problem(source, line, None, f"not valid YAML: {reason}")])
    if not isinstance(raw, dict):
        raise InputError([Problem(source, None, None, "a model must be a YAML mapping of fields (model_id: ..., share: ...)")])
    try:
        data = ModelSchema().load(raw)
    except ValidationError as error:
        lines = _key_lines(text)
        problems = []
        for name, messages in sorted(error.normalized_messages().items()):
            message = messages[0] if isinstance(messages, list) else str(messages)
            if message == "Unknown field.":
                message = "unknown field (allowed: " + ", ".join(ModelSchema().fields) + ")"
            elif message == "Missing data for required field.":
                message = "missing (required)"
            elif message == "Field may not be null.":
                message = "must have a value"
            column = name if isinstance(name, str) and len(name) <= REPR_LIMIT else short_repr(name)
            problems.append(Problem(source, lines.get(name), column, message))
        raise InputError(problems)
    return Model(**data, source=source, text=text)


def load_model(path) -> Model:
    """Read and validate a model file."""
    path = Path(path)
    try:
        _check_size(path.stat().st_size, str(path))  # refused before it is read
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError([Problem(str(path), None, None, "model file not found")])
    except UnicodeDecodeError:
        raise InputError([Problem(str(path), None, None, "not UTF-8 text")])
    return parse_model(text, str(path))
