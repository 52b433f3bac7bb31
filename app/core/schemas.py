"""What every request body and text parameter shares.

`WriteModel` is the base of every body a client sends: unknown fields are refused (a client
cannot set a server-owned field), text is trimmed, `true`/`false` are taken only by a yes/no
field (pydantic would read `true` as the id 1 and `"yes"` or `0` as a yes/no), and no text field
may hold a character that the databases cannot store or that is no character at all:

* NUL (U+0000): PostgreSQL's text types cannot hold it (SQLite can), so without this rule the
  same request would be stored on one backend and fail with a 500 on the other;
* a lone surrogate (U+D800..U+DFFF, which JSON can spell as ``"\\ud800"``): not a character;
  it cannot be encoded as UTF-8, neither to store it nor to answer with it.

`SafeText` applies the same rule to text in a query string or a form.
"""

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from functools import cache
from types import NoneType, UnionType
from typing import Annotated, Any, ClassVar, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _problem(text: str) -> str | None:
    if "\x00" in text:
        return "must not contain the NUL character (U+0000)"
    if not _encodes(text):
        return "is not valid Unicode text (it holds a lone surrogate)"
    return None


def check_text(value: Any) -> Any:
    """`value` unchanged, or ValueError if it (or a string inside it) is not storable text."""
    if isinstance(value, str):
        problem = _problem(value)
        if problem is not None:
            raise ValueError(problem)
    elif isinstance(value, list | tuple | set | frozenset):
        for element in value:
            check_text(element)
    elif isinstance(value, dict):
        for key, element in value.items():
            check_text(key)
            check_text(element)
    return value


SafeText = Annotated[str, AfterValidator(check_text)]

# The largest id an INTEGER column holds (PostgreSQL's int4; SQLite's would take up to 2**63 - 1):
# past it, an id is a 422 that names it, not "integer out of range" from the database, a 500.
MAX_ID = 2**31 - 1
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]

# White space as Unicode defines it, spelled out: `\s` means one set in the OpenAPI document's
# regex dialect (ECMA-262, which has U+FEFF but not U+0085) and another in pydantic's (Unicode).
WHITE_SPACE = r"\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# The same characters, which trimming removes (Python's strip() would also take U+001C..1F).
TRIM = (
    "\t\n\v\f\r \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000"
)
# A text that is more than white space.
NOT_BLANK = rf"[^{WHITE_SPACE}]"
# A code: one word, no white space in it (around it, white space is trimmed away).
ONE_WORD = rf"^[{WHITE_SPACE}]*[^{WHITE_SPACE}]+[{WHITE_SPACE}]*$"


def text_constraints(max_length: int, *, required: bool = False, one_word: bool = False) -> Any:
    """The constraints of a text of at most `max_length` characters, for
    `Annotated[str, text_constraints(...)]`; `required`: not blank; `one_word`: not blank and
    without white space inside (codes). They hold for the text as sent; a WriteModel trims it
    after."""
    pattern = ONE_WORD if one_word else NOT_BLANK if required else None
    return StringConstraints(
        min_length=1 if pattern else None, max_length=max_length, pattern=pattern
    )


class Verbatim:
    """Marks a text that is kept as sent, white space included (a password)."""


# Also taken, though the document does not offer it: "1e3" (some clients write numbers so).
SCIENTIFIC = re.compile(r"-?[0-9]+(\.[0-9]+)?[eE][+-]?[0-9]{1,3}")


def decimal(
    *, low: str, high: str, places: int, text: str, example: str, above_low: bool = False
) -> tuple[Any, ...]:
    """The rules of a decimal field besides its Field(...) bounds, for `Annotated[Decimal, ...]`:
    a JSON number, or a string in plain notation that `text` (a regex of the same range) takes.
    The document says so exactly, so that a client knows the format of the string; pydantic
    would describe it as any string, and would also read " 5", "+5" or "5."."""
    pattern = re.compile(text)

    def plain(value: Any) -> Any:
        if isinstance(value, str) and not (pattern.fullmatch(value) or SCIENTIFIC.fullmatch(value)):
            bound = f"above {low}" if above_low else f"from {low}"
            raise ValueError(
                f"must be a number {bound} to {high} with at most {places} decimals, "
                f"written like {example}"
            )
        return value

    number: dict[str, Any] = {
        "type": "number",
        "exclusiveMinimum" if above_low else "minimum": float(low),
        "maximum": float(high),
        "multipleOf": float(Decimal(1).scaleb(-places)),
    }
    return (
        BeforeValidator(plain),
        WithJsonSchema(
            {"anyOf": [number, {"type": "string", "pattern": text}], "examples": [example]},
            mode="validation",
        ),
    )


def _kinds(annotation: Any) -> frozenset[Any]:
    """The plain types a field takes: `Annotated[int, ...] | None` is {int, None}."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _kinds(get_args(annotation)[0])
    if origin is Union or origin is UnionType:
        return frozenset().union(*(_kinds(a) for a in get_args(annotation)))
    return frozenset({origin or annotation})


def _metadata(annotation: Any) -> Iterator[Any]:
    """The metadata of every `Annotated` inside a (union) annotation."""
    origin = get_origin(annotation)
    if origin is Annotated:
        yield from annotation.__metadata__
        yield from _metadata(get_args(annotation)[0])
    elif origin is Union or origin is UnionType:
        for arg in get_args(annotation):
            yield from _metadata(arg)


@cache
def _trimmed(model: type[BaseModel], name: str) -> bool:
    field = model.model_fields[name]
    markers = (*field.metadata, *_metadata(field.annotation))
    return not any(isinstance(m, Verbatim) for m in markers)


@cache
def _yes_no(model: type[BaseModel], name: str) -> bool | None:
    """True for a yes/no field, False for a field that is not, None for one that holds both."""
    kinds = _kinds(model.model_fields[name].annotation) - {NoneType}
    if kinds == {bool}:
        return True
    return None if bool in kinds else False


class WriteModel(BaseModel):
    """A request body: only the fields a client may set, each text storable on every backend.

    Texts are trimmed after their constraints are checked, so that the lengths and patterns the
    document states hold for the text as sent (pydantic's `str_strip_whitespace` would trim
    first: 31 characters of which one a space would pass a limit of 30)."""

    model_config = ConfigDict(extra="forbid")

    # Per model, from its fields' types (set when the class is built, so that the validators
    # below, which run on every field of every body and of every row of an imported workbook,
    # look the field up instead of working it out): the fields that take true/false (yes/no
    # fields and those that hold both), those that take nothing else, and the texts kept as
    # sent.
    _takes_bool: ClassVar[frozenset[str]] = frozenset()
    _bool_only: ClassVar[frozenset[str]] = frozenset()
    _verbatim: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        yes_no = {name: _yes_no(cls, name) for name in cls.model_fields}
        cls._takes_bool = frozenset(n for n, kind in yes_no.items() if kind is not False)
        cls._bool_only = frozenset(n for n, kind in yes_no.items() if kind is True)
        cls._verbatim = frozenset(n for n in cls.model_fields if not _trimmed(cls, n))

    @field_validator("*", mode="before")
    @classmethod
    def _booleans_where_meant(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:  # every field's "unset"
            return None
        name = info.field_name
        if value is True or value is False:
            if name not in cls._takes_bool:
                raise ValueError("must not be true or false")
        elif name in cls._bool_only:
            raise ValueError("must be true or false")
        elif (
            isinstance(value, list)
            and name not in cls._takes_bool
            and any(v is True or v is False for v in value)
        ):
            raise ValueError("must not be true or false")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any, info: ValidationInfo) -> Any:
        # `type(...) is str`: an enum member (a StrEnum is a str) stays the member.
        if type(value) is str:
            if "\x00" in value or not (value.isascii() or _encodes(value)):
                check_text(value)  # raises, naming the problem
            return value if info.field_name in cls._verbatim else value.strip(TRIM)
        if value is not None and not isinstance(value, int | Decimal | date):
            check_text(value)
        return value
