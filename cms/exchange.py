"""Reading and checking exchange files: the JSON documents other programs send the site (course
packages, credential programs), whatever their format.

``load_json_object`` turns raw bytes into one JSON object or refuses them in plain words (too
large, not UTF-8, binary, nested too deep, repeated keys, escaped characters no database can
store); hostile files never cause a traceback.
``schema_problems`` explains a JSON Schema's complaints as ``(path, message)`` pairs without ever
echoing the offending value, and ``file_problems`` turns such pairs into ``Problem`` rows for one
file. A refused import raises ``PackageError`` carrying every problem found.
"""

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
MAX_PROBLEMS_PER_FILE = 100
TYPE_NAMES = {
    "string": gettext_lazy("text"),
    "number": gettext_lazy("a number"),
    "integer": gettext_lazy("a whole number"),
    "boolean": gettext_lazy("true or false"),
    "object": gettext_lazy("an object"),
    "array": gettext_lazy("a list"),
    "null": gettext_lazy("null"),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where (a JSON path such as ``modules[2].quiz``) and what."""

    file: str
    path: str
    message: str

    def __str__(self):
        return ": ".join(part for part in (self.file, self.path, self.message) if part)


class PackageError(Exception):
    """A refused import, carrying every problem found (not just the first)."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self):
        return "\n".join(str(problem) for problem in self.problems)


def json_path(parts) -> str:
    """``["modules", 2, "quiz"]`` as ``modules[2].quiz``."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def short(value) -> str:
    """``value`` as text of at most 60 characters, to quote in a message."""
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def json_kind(value) -> str:
    """What kind of JSON value ``value`` is, in words ("a list", "text", ...)."""
    kinds = {
        bool: "boolean",
        dict: "object",
        list: "array",
        str: "string",
        int: "integer",
        float: "number",
    }
    return str(TYPE_NAMES.get(kinds.get(type(value), "null"), ""))


# Loading --------------------------------------------------------------------------------------

# A JSON string; the closing quote is optional so that an unclosed string ends the scan
# instead of being retried from every later quote (which would take quadratic time).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _too_deep(text: str) -> bool:
    """Count bracket depth outside strings before parsing: Python's json module recurses once a
    level and thousands of levels would crash it."""
    depth = 0
    for char in _NOT_BRACKET.sub("", _STRING.sub("", text)):
        depth += 1 if char in "[{" else -1
        if depth > MAX_DEPTH:
            return True
    return False


# Characters no text column can store: NUL (PostgreSQL refuses it) and half of a surrogate pair
# (not encodable as UTF-8 at all). Raw bytes never decode to them; JSON escapes such as
# "\u0000" or "\ud800" do, so the loaded document is checked as well.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _holds_unstorable_text(doc) -> bool:
    stack = [doc]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if _UNSTORABLE.search(value):
                return True
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def load_json_object(raw: bytes, *, label: str, what: str) -> dict:
    """The JSON object in ``raw``, or ``PackageError`` saying in plain words why it is not one.
    ``label`` names the file in the problems; ``what`` names the document the file should
    hold, such as "a course package"."""

    def refuse(message: str):
        raise PackageError([Problem(label, "", message)])

    if len(raw) > MAX_BYTES:
        refuse(_("The file is larger than 5 MB."))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        refuse(
            _(
                "The file is not UTF-8 text (byte %(position)s cannot be read). Save it as UTF-8 JSON."
            )
            % {"position": error.start}
        )
    if "\x00" in text:
        refuse(_("The file looks like binary data, not JSON text."))
    if _too_deep(text):
        refuse(_("The JSON is nested more than %(depth)s levels deep.") % {"depth": MAX_DEPTH})
    repeated: list[str] = []

    def unique_keys(pairs):
        obj = dict(pairs)
        if len(obj) != len(pairs):
            counts = Counter(key for key, _value in pairs)
            repeated.extend(key for key, count in counts.items() if count > 1)
        return obj

    def no_constants(name):
        raise ValueError(_("%(name)s is not a JSON number") % {"name": name})

    try:
        doc = json.loads(text, object_pairs_hook=unique_keys, parse_constant=no_constants)
    except RecursionError:
        refuse(_("The JSON is nested more than %(depth)s levels deep.") % {"depth": MAX_DEPTH})
    except json.JSONDecodeError as error:
        refuse(
            _("The file is not valid JSON: %(reason)s at line %(line)s, column %(column)s.")
            % {
                "reason": error.msg.lower().removesuffix(" at"),
                "line": error.lineno,
                "column": error.colno,
            }
        )
    except ValueError as error:
        refuse(_("The file is not valid JSON: %(reason)s.") % {"reason": error})
    if repeated:
        raise PackageError(
            [
                Problem(
                    label,
                    "",
                    _("the key '%(key)s' appears twice in one object") % {"key": short(k)},
                )
                for k in repeated
            ]
        )
    if _holds_unstorable_text(doc):
        refuse(
            _(
                "The file holds an escaped character that cannot be stored as text (\\u0000 or "
                "half of a \\ud800-\\udfff pair). Remove it and import again."
            )
        )
    if not isinstance(doc, dict):
        refuse(
            _("The file must hold one JSON object (%(what)s), not %(kind)s.")
            % {"what": what, "kind": json_kind(doc)}
        )
    return doc


# Explaining JSON Schema errors ----------------------------------------------------------------


def schema_problems(validator, doc, *, limit: int) -> list[tuple[list, str]]:
    """``(path, message)`` pairs for what ``validator`` (a ``jsonschema`` validator) finds wrong
    with ``doc``, in document order. A hostile file can hold a million broken items, so at
    most ``limit`` errors are collected, each explained in at most ``limit`` pairs."""
    errors = sorted(islice(validator.iter_errors(doc), limit), key=_sort_key)
    return [pair for error in errors for pair in islice(_explain(error), limit)]


def file_problems(
    label: str, found: Iterable[tuple[list, str]], *, limit: int = MAX_PROBLEMS_PER_FILE
) -> list[Problem]:
    """``(path, message)`` pairs as the problems of the file ``label``: repeats dropped, and at
    most ``limit`` of them, followed by a line saying that there are more."""
    problems = list(
        dict.fromkeys(Problem(label, json_path(path), message) for path, message in found)
    )
    if len(problems) > limit:
        problems = problems[:limit]
        problems.append(
            Problem(
                label,
                "",
                _("... and more: only the first %(count)s problems are listed") % {"count": limit},
            )
        )
    return problems


def _sort_key(error) -> tuple:
    return tuple(
        (0, part, "") if isinstance(part, int) else (1, 0, part) for part in error.absolute_path
    )


def _describe(kind: str, limit, schema: dict) -> str:
    """A plain sentence for one broken JSON Schema keyword (never echoing the value itself,
    which may be megabytes long)."""
    if kind == "type":
        names = [
            str(TYPE_NAMES.get(name, name))
            for name in (limit if isinstance(limit, list) else [limit])
        ]
        return _("must be %(kind)s") % {"kind": _(" or ").join(names)}
    if kind == "enum":
        return _("must be one of: %(choices)s") % {"choices": ", ".join(map(str, limit))}
    if kind == "const":
        return _("must be %(value)s") % {"value": json.dumps(limit)}
    if kind == "minLength":
        return (
            _("must not be empty")
            if limit == 1
            else _("is shorter than %(n)s characters") % {"n": limit}
        )
    if kind == "pattern":
        if limit.startswith("^[a-z0-9]"):
            return _(
                "must be lowercase letters and digits in words joined by single hyphens, like 'my-course'"
            )
        if limit == "^https://":
            return _("must start with https://")
        return _("does not have the expected form")
    messages = {
        "maxLength": _("is longer than %(n)s characters"),
        "minItems": _("must have at least %(n)s item(s)"),
        "maxItems": _("has more than %(n)s items"),
        "minimum": _("must be at least %(n)s"),
        "maximum": _("must be at most %(n)s"),
        "exclusiveMinimum": _("must be more than %(n)s"),
        "format": _("must be a valid %(n)s"),
    }
    return messages.get(kind, _("is not valid (%(n)s)")) % {
        "n": limit if kind in messages else kind
    }


def _explain(error) -> Iterator[tuple[list, str]]:
    """(path, message) pairs for one JSON Schema error."""
    path, instance = list(error.absolute_path), error.instance
    if error.validator == "oneOf":
        yield from _explain_one_of(error, path, instance)
    elif error.validator == "additionalProperties":
        allowed = error.schema.get("properties", {})
        for key in instance:
            if key not in allowed:
                yield path, _("unknown field '%(field)s'") % {"field": short(key)}
    elif error.validator == "required":
        for name in error.validator_value:
            if isinstance(instance, dict) and name not in instance:
                yield path, _("is required: '%(field)s'") % {"field": name}
    else:
        yield path, _describe(error.validator, error.validator_value, error.schema)


def _explain_one_of(error, path: list, instance) -> Iterator[tuple[list, str]]:
    """Blocks and questions are a choice of forms keyed by ``type``: explain the form the
    ``type`` asks for, instead of saying that no form matched."""
    if not isinstance(instance, dict) or "type" not in instance:
        return  # the "type": "object" or "required" rule already says what is wrong
    kinds = [
        branch.get("properties", {}).get("type", {}).get("const")
        for branch in error.validator_value
    ]
    if instance["type"] not in kinds:
        yield (
            [*path, "type"],
            _("must be one of: %(choices)s") % {"choices": ", ".join(map(str, kinds))},
        )
        return
    index = kinds.index(instance["type"])
    inner = [
        e for e in error.context if e.relative_schema_path and e.relative_schema_path[0] == index
    ]
    for sub in sorted(inner, key=_sort_key):
        yield from _explain(sub)
    if not inner:
        yield path, _("does not have the expected form")


def object_rows(value, *, limit: int = 500) -> list[tuple[int, dict]]:
    """The objects in a list, with their positions. A list longer than any schema here allows
    is refused by the schema already; its first ``limit`` items are enough to check further."""
    items = value[:limit] if isinstance(value, list) else []
    return [(i, row) for i, row in enumerate(items) if isinstance(row, dict)]


def batch_identity_problems(files: list[tuple[str, dict]], *, duplicate: str) -> list[Problem]:
    """Rules that span the files of one import: each document (by ``slug``) in one file only,
    and one name per domain code. ``files`` are ``(file name, document)``; ``duplicate`` is the
    translated message for a repeated slug, with ``%(slug)s`` and ``%(other)s``."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    names: dict[str, tuple[str, str]] = {}
    for file, doc in files:
        slug = doc.get("slug")
        if isinstance(slug, str) and slug in seen:
            problems.append(
                Problem(
                    file,
                    "slug",
                    duplicate % {"slug": short(slug), "other": seen[slug]},
                )
            )
        elif isinstance(slug, str):
            seen[slug] = file
        for i, row in object_rows(doc.get("domains")):
            code, name = row.get("code"), row.get("name")
            if not isinstance(code, str) or not isinstance(name, str):
                continue
            first = names.setdefault(code, (name, file))
            if first[0] != name:
                problems.append(
                    Problem(
                        file,
                        f"domains[{i}].name",
                        _(
                            "names the domain '%(code)s' \"%(name)s\", but %(other)s calls it "
                            '"%(first)s"; a code has one name'
                        )
                        % {
                            "code": short(code),
                            "name": short(name),
                            "other": first[1],
                            "first": short(first[0]),
                        },
                    )
                )
    return problems
