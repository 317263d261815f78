"""Checking JSON against spec/conformance.schema.json (spec/conformance.md, CONF-SCHEMA-1).

The schema is JSON Schema draft 2020-12. Only the subset of keywords the schema uses is
implemented here (listed in `KEYWORDS`); a schema using any other keyword is rejected rather
than half-checked. Differences from a general validator, all stricter: ``"integer"`` means a
JSON number written without fraction or exponent, and a ``pattern`` written ``^...$`` must
match the whole string (ECMA-262 ``$`` does not match before a final newline; Python's does).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import SuperVMError, shown
from .paths import SCHEMA

#: Keywords that only annotate.
ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "$defs", "title", "description"})
#: Keywords this validator checks.
KEYWORDS = ANNOTATIONS | {
    "$ref", "type", "enum", "const", "properties", "required", "additionalProperties",
    "patternProperties", "propertyNames", "items", "minItems", "maxItems", "pattern",
    "minLength", "maxLength", "minimum", "maximum", "allOf", "if", "then", "else",
}


#: The deepest nesting of arrays and objects accepted in a JSON document read from outside
#: (fixture files, t8n input, a backend's output, the schema). The formats of
#: spec/conformance.md nest less than ten levels; the bound keeps every recursive walk over a
#: document (validation, canonical JSON, comparison) far from Python's recursion limit.
MAX_JSON_DEPTH = 64


def json_depth(value: Any) -> int:
    """The nesting depth of a decoded JSON value (a scalar is 0), computed without
    recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list):
            deepest = max(deepest, depth + 1)
            stack.extend((item, depth + 1) for item in node)
    return deepest


def _no_constant(name: str) -> Any:
    """``NaN``, ``Infinity`` and ``-Infinity`` are Python's extensions, not JSON (RFC 8259)."""
    raise ValueError(f"{name} is not a JSON value (RFC 8259 has no NaN or infinities)")


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose member names are unique (RFC 8259 leaves duplicates to the reader)."""
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise ValueError(f"duplicate member {shown(name, 40)} in an object")
            seen.add(name)
    return value


def parse_json(text: str | bytes | bytearray, max_depth: int = MAX_JSON_DEPTH, *,
               unique_members: bool = False) -> Any:
    """Decode a JSON document read from outside; `ValueError` (with the reason) when it is not
    JSON -- ``NaN``, ``Infinity`` and ``-Infinity``, which Python's decoder accepts, included
    --, not UTF-8, or nested deeper than ``max_depth``; with ``unique_members``, also when an
    object names a member twice (instead of the last one silently winning)."""
    if not isinstance(text, (str, bytes, bytearray)):
        raise ValueError(f"not JSON text: expected str or bytes, found {type(text).__name__}")
    hook = _unique_members if unique_members else None
    try:
        value = json.loads(text if isinstance(text, str) else bytes(text).decode("utf-8"),
                           parse_constant=_no_constant, object_pairs_hook=hook)
    except RecursionError:  # the decoder recurses once per level
        raise ValueError(f"JSON nested deeper than {max_depth} levels") from None
    except UnicodeDecodeError as e:
        raise ValueError(f"not UTF-8 text: {e}") from None
    except ValueError as e:
        raise ValueError(f"not JSON: {e}") from None
    if json_depth(value) > max_depth:
        raise ValueError(f"JSON nested deeper than {max_depth} levels")
    return value


class SchemaError(SuperVMError):
    """The schema itself cannot be read or uses something this validator does not know."""


#: One problem: the JSON pointer of the offending value (as a tuple of keys) and a message.
Problem = tuple[tuple[str | int, ...], str]


def load_schema(root: Path | None = None, path: Path | None = None) -> dict[str, Any]:
    """CONF-SCHEMA-1: read ``spec/conformance.schema.json`` (under the repository ``root``, or
    ``path`` itself)."""
    target = path or ((root or Path.cwd()) / SCHEMA)
    try:
        schema = parse_json(target.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise SchemaError(f"cannot read the schema {target}: {e}") from e
    if not isinstance(schema, dict):
        raise SchemaError(f"{target}: a schema is a JSON object")
    return schema


def pointer(path: tuple[str | int, ...]) -> str:
    """A JSON pointer (RFC 6901) for ``path``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path) or "/"


def _type_ok(instance: Any, name: str) -> bool:
    if name == "object":
        return isinstance(instance, dict)
    if name == "array":
        return isinstance(instance, list)
    if name == "string":
        return isinstance(instance, str)
    if name == "integer":
        return type(instance) is int
    if name == "number":
        return type(instance) in (int, float)
    if name == "boolean":
        return type(instance) is bool
    if name == "null":
        return instance is None
    raise SchemaError(f"unknown type {shown(name)}")


def _pattern_ok(pattern: str, text: str) -> bool:
    if pattern.startswith("^") and pattern.endswith("$"):
        return re.fullmatch(f"(?:{pattern[1:-1]})", text) is not None
    return re.search(pattern, text) is not None


def _resolve(ref: str, root: Mapping[str, Any]) -> Mapping[str, Any]:
    if not ref.startswith("#/"):
        raise SchemaError(f"only local references are supported, got {shown(ref)}")
    node: Any = root
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, Mapping) or part not in node:
            raise SchemaError(f"unresolvable reference {shown(ref)}")
        node = node[part]
    if not isinstance(node, Mapping):
        raise SchemaError(f"reference {shown(ref)} is not a schema")
    return node


def _same(a: Any, b: Any) -> bool:
    """JSON equality (``1`` is not ``true``)."""
    return type(a) is type(b) and a == b


def validate(instance: Any, schema: Mapping[str, Any], root: Mapping[str, Any] | None = None,
             path: tuple[str | int, ...] = ()) -> list[Problem]:
    """CONF-SCHEMA-1: every way ``instance`` fails ``schema`` (empty if it conforms)."""
    root = schema if root is None else root
    unknown = set(schema) - KEYWORDS
    if unknown:
        raise SchemaError(f"unsupported schema keyword(s) {sorted(unknown)} at {pointer(path)}")
    problems: list[Problem] = []

    def fail(message: str) -> None:
        problems.append((path, message))

    if "$ref" in schema:
        problems += validate(instance, _resolve(schema["$ref"], root), root, path)
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_type_ok(instance, n) for n in names):
            fail(f"expected {' or '.join(names)}, got {json.dumps(instance)[:80]}")
            return problems
    for sub in schema.get("allOf", []):
        problems += validate(instance, sub, root, path)
    if "if" in schema:  # the condition only selects a branch; its own failures are not shown
        branch = "then" if not validate(instance, schema["if"], root, path) else "else"
        if branch in schema:
            problems += validate(instance, schema[branch], root, path)
    if "enum" in schema and not any(_same(instance, e) for e in schema["enum"]):
        fail(f"{json.dumps(instance)[:80]} is not one of {json.dumps(schema['enum'])[:200]}")
    if "const" in schema and not _same(instance, schema["const"]):
        fail(f"expected {json.dumps(schema['const'])}, got {json.dumps(instance)[:80]}")
    if isinstance(instance, str):
        if "pattern" in schema and not _pattern_ok(schema["pattern"], instance):
            fail(f"{instance[:80]!r} does not match {schema['pattern']}")
        if len(instance) < schema.get("minLength", 0):
            fail(f"shorter than {schema['minLength']} characters")
        if "maxLength" in schema and len(instance) > schema["maxLength"]:
            fail(f"longer than {schema['maxLength']} characters")
    if type(instance) in (int, float):
        if "minimum" in schema and instance < schema["minimum"]:
            fail(f"{instance} is below the minimum {schema['minimum']}")
        if "maximum" in schema and instance > schema["maximum"]:
            fail(f"{instance} is above the maximum {schema['maximum']}")
    if isinstance(instance, list):
        if len(instance) < schema.get("minItems", 0):
            fail(f"fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(instance) > schema["maxItems"]:
            fail(f"more than {schema['maxItems']} items")
        if "items" in schema:
            for i, item in enumerate(instance):
                problems += validate(item, schema["items"], root, (*path, i))
    if isinstance(instance, dict):
        problems += _validate_object(instance, schema, root, path)
    return problems


def _validate_object(instance: dict[str, Any], schema: Mapping[str, Any],
                     root: Mapping[str, Any], path: tuple[str | int, ...]) -> list[Problem]:
    problems: list[Problem] = []
    for key in schema.get("required", []):
        if key not in instance:
            problems.append((path, f"missing required property {shown(key)}"))
    properties = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    for key, value in instance.items():
        if "propertyNames" in schema:
            problems += [(path, f"property name {shown(key)}: {m}")
                         for _, m in validate(key, schema["propertyNames"], root, path)]
        matched = False
        if key in properties:
            matched = True
            problems += validate(value, properties[key], root, (*path, key))
        for pattern, sub in patterns.items():
            if _pattern_ok(pattern, key):
                matched = True
                problems += validate(value, sub, root, (*path, key))
        extra = schema.get("additionalProperties", True)
        if not matched:
            if extra is False:
                problems.append((path, f"unexpected property {shown(key)}"))
            elif isinstance(extra, Mapping):
                problems += validate(value, extra, root, (*path, key))
    return problems


def errors_against(instance: Any, schema: Mapping[str, Any], definition: str | None = None
                   ) -> list[str]:
    """CONF-SCHEMA-1: the problems of ``instance`` against the whole schema, or against its
    ``$defs/<definition>``, as ``"<pointer>: <message>"`` lines."""
    sub = schema if definition is None else _resolve(f"#/$defs/{definition}", schema)
    return [f"{pointer(p)}: {m}" for p, m in validate(instance, sub, schema)]


def fixture_file_errors(instance: Any, schema: Mapping[str, Any]) -> list[str]:
    """CONF-SCHEMA-1: the problems of a whole fixture file."""
    return errors_against(instance, schema)
