"""Safe YAML reading that keeps the line and column of every node.

The document is built from parser events with an explicit stack, so no tag can construct an
object, deep nesting cannot exhaust the Python stack, duplicate keys are caught, and aliases
are charged by the size of what they stand for (an alias bomb stops early instead of
expanding).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, NoReturn

import yaml

from ._text import is_valid_text
from .errors import Problem

Path = tuple[str | int, ...]
Position = tuple[int, int]  # the parser's 0-based line and column, made a Mark when asked

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STANDARD_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
)
MAX_DEPTH = 100
MAX_NODES = 200_000
MAX_BYTES = 2_000_000
# The characters YAML refuses anywhere in a stream (PyYAML's and libyaml's readers agree),
# and lone surrogates, which have no UTF-8 form (text given directly may hold them).
_DISALLOWED = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Line breaks as YAML counts them for its marks.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


@dataclass(frozen=True)
class Mark:
    """A 1-based line and column in a source file."""

    line: int
    column: int


@dataclass
class Document:
    """A YAML document as plain data, with the position of every value and mapping key."""

    data: Any
    file: str
    lines: list[str]
    values: dict[Path, Position] = field(default_factory=dict)
    keys: dict[Path, Position] = field(default_factory=dict)

    def mark(self, path: Path) -> Mark:
        """The position of the value at `path`, or of its nearest positioned parent."""
        for end in range(len(path), -1, -1):
            found = self.values.get(path[:end])
            if found is not None:
                return Mark(found[0] + 1, found[1] + 1)
        return Mark(1, 1)

    def line(self, path: Path) -> int:
        """The line of the value at `path` (that of `mark`), without making a Mark."""
        for end in range(len(path), -1, -1):
            found = self.values.get(path[:end])
            if found is not None:
                return found[0] + 1
        return 1

    def key_mark(self, path: Path) -> Mark:
        """The position of the mapping key that leads to `path` (falls back to the value)."""
        found = self.keys.get(path)
        return Mark(found[0] + 1, found[1] + 1) if found is not None else self.mark(path)

    def problem(self, path: Path, message: str, **extra: Any) -> Problem:
        """A Problem positioned at the value found at `path`."""
        return self.problem_at(self.mark(path), message, **extra)

    def problem_at(self, mark: Mark, message: str, **extra: Any) -> Problem:
        """A Problem positioned at `mark`, carrying the source line for display."""
        source_line = self.lines[mark.line - 1] if 0 < mark.line <= len(self.lines) else None
        return Problem(
            message,
            file=self.file,
            line=mark.line,
            column=mark.column,
            source_line=source_line,
            **extra,
        )


class YamlProblem(Exception):  # noqa: N818 - internal signal carrying a Problem, never public
    """Raised inside this module to stop reading; carries the Problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@dataclass(slots=True)
class _Frame:
    container: dict[Any, Any] | list[Any]
    path: Path
    anchor: str | None
    size: int = 1
    key: Any = None
    key_mark: Position | None = None
    has_key: bool = False


def _check_size(size: int, file: str) -> None:
    if size > MAX_BYTES:
        raise YamlProblem(Problem(f"file is {size:,} bytes; the limit is {MAX_BYTES:,}", file))


def decode(raw: bytes, file: str) -> str:
    """UTF-8 text of a pack file; a clear Problem for other encodings and oversized files."""
    _check_size(len(raw), file)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise YamlProblem(
            Problem(f"file is not valid UTF-8 (byte 0x{raw[error.start]:02x})", file, line, column)
        ) from None


def read_document(text: str, file: str) -> Document:
    """Parse one YAML document into plain data with positions; raise YamlProblem when bad."""
    if len(text) > MAX_BYTES // 4:  # text given directly (load_pack_text) has the same limit
        _check_size(len(text.encode("utf-8", "surrogatepass")), file)
    _check_characters(text, file)
    doc = Document(None, file, text.splitlines())
    builder = _Builder(doc)
    try:
        _feed_events(text, builder)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = Mark(mark.line + 1, mark.column + 1) if mark else Mark(1, 1)
        reason = error.problem or str(error)
        raise YamlProblem(doc.problem_at(where, f"invalid YAML: {reason}", code="yaml")) from None
    except yaml.YAMLError as error:
        raise YamlProblem(Problem(f"invalid YAML: {error}", file, code="yaml")) from None
    doc.data = builder.result
    return doc


def _feed_events(text: str, builder: _Builder) -> None:
    """Every parser event of `text`, in order, to the builder (what `yaml.parse` yields)."""
    parser = _Loader(text)
    get_event = parser.get_event
    scalar, feed = builder.scalar, builder.feed
    try:
        while (event := get_event()) is not None:  # None once the stream has ended
            if type(event) is yaml.ScalarEvent:  # most events: dispatched without a lookup
                scalar(event)
            else:
                feed(event)
    finally:
        parser.dispose()


def _check_characters(text: str, file: str) -> None:
    """Refuse the first character YAML does not allow, at its line and column, showing its line.

    The YAML reader refuses them too, but names only an offset into the stream (in bytes
    for libyaml), and an encoder error, not a YAML error, is all a lone surrogate gives."""
    found = _DISALLOWED.search(text)
    if found is None:
        return
    offset = found.start()
    line, start = 1, 0
    for brk in _LINE_BREAK.finditer(text, 0, offset):
        line, start = line + 1, brk.end()
    end = _LINE_BREAK.search(text, offset)
    shown = _DISALLOWED.sub(_visible, text[start : end.start() if end else len(text)])
    code = ord(found.group())
    raise YamlProblem(
        Problem(
            f"invalid YAML: unacceptable character U+{code:04X}: {_kind(code)} are not allowed",
            file,
            line,
            offset - start + 1,
            code="yaml",
            source_line=shown,
        )
    )


def _kind(code: int) -> str:
    if 0xD800 <= code <= 0xDFFF:
        return "lone surrogates"
    if code in (0xFFFE, 0xFFFF):
        return "noncharacters"
    return "control characters"


def _visible(found: re.Match[str]) -> str:
    """A disallowed character as one printable character, so the caret stays in place."""
    code = ord(found.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: U+2400 is NUL's picture
    return "\u2421" if code == 0x7F else "\ufffd"


class _Builder:
    """Turns parser events into plain data, recording positions as it goes.

    Positions are kept as the parser's own 0-based (line, column) pairs and made into Marks
    only when a message asks for one; events are dispatched on their exact type."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.nodes = 0
        self.documents = 0
        self.result: Any = None
        self.values = doc.values
        self.keys = doc.keys

    def feed(self, event: yaml.Event) -> None:
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            handler(self, event)

    def _document(self, event: yaml.Event) -> None:
        self.documents += 1
        if self.documents > 1:
            self._fail(event, "a pack file holds one YAML document; found a second '---'")

    def _fail(self, event: yaml.Event, message: str) -> NoReturn:
        mark = _mark_of(event)
        raise YamlProblem(self.doc.problem_at(mark, message, code="yaml"))

    def _check_tag(self, event: yaml.NodeEvent, tag: str | None) -> None:
        if tag not in (None, "!") and tag not in _STANDARD_TAGS:
            self._fail(event, f"YAML tag '{tag}' is not allowed: packs hold plain data only")

    def _count(self, event: yaml.Event, size: int) -> None:
        self.nodes += size
        if self.nodes > MAX_NODES:
            self._fail(event, f"the document has more than {MAX_NODES:,} nodes (aliases included)")

    def scalar(self, event: yaml.ScalarEvent) -> None:
        tag = event.tag
        if tag is not None:
            self._check_tag(event, tag)
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self._count(event, 0)  # reports it
        value: Any = event.value
        if (
            tag is not None
            or _ANY_FIRST
            or (event.implicit[0] and (not value or value[0] in _FIRST))
        ):
            value = self._constructed(event)
        # Otherwise quoted, or a plain word: a string, as the resolver would say. The text was
        # checked for lone surrogates before parsing: only an escape in double quotes makes one.
        elif event.style == '"' and not is_valid_text(value):
            self._fail(event, "the string holds a lone surrogate (an invalid character)")
        if event.anchor:
            self.anchors[event.anchor] = (value, 1)
        if not self.stack:
            self._add(event, value, 1)
            return
        # What _add does, written out for a scalar: most events are one.
        frame = self.stack[-1]
        start = event.start_mark
        mark = (start.line, start.column) if start is not None else (0, 0)
        container = frame.container
        frame.size += 1
        if type(container) is list:
            self.values[(*frame.path, len(container))] = mark
            container.append(value)
        elif not frame.has_key:
            frame.size -= 1  # a key is counted with its value
            if value in container:
                self._fail(event, f"duplicate key '{value}'")
            frame.key, frame.key_mark, frame.has_key = value, mark, True
        else:
            path = (*frame.path, frame.key)
            self.values[path] = mark
            container[frame.key] = value
            if frame.key_mark is not None:
                self.keys[path] = frame.key_mark
            frame.key, frame.key_mark, frame.has_key = None, None, False

    def _constructed(self, event: yaml.ScalarEvent) -> Any:
        """The value of a tagged scalar or of a plain one the resolver may read as other
        than a string; a positioned problem when it is invalid."""
        plain = event.tag is None and event.implicit[0]
        if plain:
            found = _PLAIN_VALUES.get(event.value, _MISSING)
            if found is not _MISSING:
                return found
        try:
            value = _construct_scalar(event)
        except (yaml.constructor.ConstructorError, ValueError, OverflowError) as error:
            self._fail(event, f"invalid value '{_clip(event.value)}': {error}")
        except (IndexError, KeyError, AttributeError, TypeError):
            # PyYAML's constructors fail this way on explicit tags: `!!int ''`, `!!bool maybe`
            self._fail(event, f"invalid value '{_clip(event.value)}' for the tag '{event.tag}'")
        if isinstance(value, str) and not is_valid_text(value):
            self._fail(event, "the string holds a lone surrogate (an invalid character)")
        if plain and len(event.value) <= _PLAIN_LENGTH:
            if len(_PLAIN_VALUES) >= _PLAIN_COUNT:
                _PLAIN_VALUES.clear()
            _PLAIN_VALUES[event.value] = value
        return value

    def _start(self, event: yaml.CollectionStartEvent) -> None:
        self._check_tag(event, event.tag)
        self._count(event, 1)
        if len(self.stack) >= MAX_DEPTH:
            self._fail(event, f"nesting is deeper than {MAX_DEPTH} levels")
        container: dict[Any, Any] | list[Any]
        container = {} if type(event) is yaml.MappingStartEvent else []
        path = self._child_path(event)
        start = event.start_mark
        self.values[path] = (start.line, start.column) if start is not None else (0, 0)
        self.stack.append(_Frame(container, path, event.anchor))

    def _end(self, _event: yaml.Event) -> None:
        frame = self.stack.pop()
        if frame.has_key and isinstance(frame.container, dict):
            raise YamlProblem(self.doc.problem(frame.path, "mapping key without a value"))
        if frame.anchor:
            self.anchors[frame.anchor] = (frame.container, frame.size)
        if self.stack:
            self._attach(frame.container, frame.size)
        else:
            self.result = frame.container

    def _alias(self, event: yaml.AliasEvent) -> None:
        found = self.anchors.get(event.anchor or "")
        if found is None:
            self._fail(event, f"unknown alias '*{event.anchor}'")
        value, size = found
        self._count(event, size)
        self._add(event, value, size)

    def _child_path(self, event: yaml.Event) -> Path:
        if not self.stack:
            return ()
        frame = self.stack[-1]
        container = frame.container
        if type(container) is list:
            return (*frame.path, len(container))
        if not frame.has_key:
            self._fail(event, "mapping keys must be plain scalars")
        return (*frame.path, frame.key)

    def _add(self, event: yaml.Event, value: Any, size: int) -> None:
        start = event.start_mark
        mark = (start.line, start.column) if start is not None else (0, 0)
        if not self.stack:
            self.values[()] = mark
            self.result = value
            return
        frame = self.stack[-1]
        container = frame.container
        if type(container) is list:
            self.values[(*frame.path, len(container))] = mark
            frame.size += size
            container.append(value)
            return
        if not frame.has_key:
            self._take_key(event, frame, value, mark)
            return
        key = frame.key
        path = (*frame.path, key)
        self.values[path] = mark
        frame.size += size
        container[key] = value
        if frame.key_mark is not None:
            self.keys[path] = frame.key_mark
        frame.key, frame.key_mark, frame.has_key = None, None, False

    def _take_key(self, event: yaml.Event, frame: _Frame, key: Any, mark: tuple[int, int]) -> None:
        if isinstance(key, dict | list):
            self._fail(event, "mapping keys must be plain scalars")
        assert isinstance(frame.container, dict)
        if key in frame.container:
            self._fail(event, f"duplicate key '{key}'")
        frame.key, frame.key_mark, frame.has_key = key, mark, True

    def _attach(self, value: Any, size: int) -> None:
        frame = self.stack[-1]
        frame.size += size
        if isinstance(frame.container, list):
            frame.container.append(value)
            return
        frame.container[frame.key] = value
        if frame.key_mark is not None:
            self.keys[(*frame.path, frame.key)] = frame.key_mark
        frame.key, frame.key_mark, frame.has_key = None, None, False


_HANDLERS: dict[type, Any] = {
    yaml.DocumentStartEvent: _Builder._document,
    yaml.ScalarEvent: _Builder.scalar,
    yaml.MappingStartEvent: _Builder._start,
    yaml.SequenceStartEvent: _Builder._start,
    yaml.MappingEndEvent: _Builder._end,
    yaml.SequenceEndEvent: _Builder._end,
    yaml.AliasEvent: _Builder._alias,
}


def _clip(value: str, limit: int = 40) -> str:
    """A scalar as quoted in a message: its first `limit` characters."""
    return value if len(value) <= limit else value[:limit] + "..."


def _mark_of(event: yaml.Event) -> Mark:
    start = event.start_mark
    return Mark(start.line + 1, start.column + 1) if start is not None else Mark(1, 1)


_RESOLVER = yaml.resolver.Resolver()


_STR = "tag:yaml.org,2002:str"


# The implicit resolvers by first character: a plain scalar whose first character starts
# none of them (most words) is a string without trying their patterns.
_FIRST = _RESOLVER.yaml_implicit_resolvers
_ANY_FIRST = None in _FIRST


# The values of short plain scalars read before ("type", "text", "10", "true"): a plain
# scalar's value depends on its text alone (the resolver's patterns, then the constructor),
# and each is immutable (a string, number, boolean, null, date or time), so it is shared.
_PLAIN_VALUES: dict[str, Any] = {}
_PLAIN_LENGTH = 40
_PLAIN_COUNT = 4096
_MISSING = object()


def _construct_scalar(event: yaml.ScalarEvent) -> Any:
    tag = event.tag
    value = event.value
    if tag is None and not _ANY_FIRST:
        plain, _ = event.implicit
        if not plain or (value and value[0] not in _FIRST):
            return value  # quoted, or a plain word: a string, as the resolver would say
    if tag in (None, "!"):
        tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
    if tag == _STR:
        return event.value  # what SafeConstructor gives for a string, without building one
    node = yaml.ScalarNode(tag, event.value, style=event.style)
    # A fresh constructor each time: a shared one keeps every node it ever built.
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)
