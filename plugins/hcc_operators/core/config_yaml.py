"""The one reader of the YAML files in include/config: every loader goes through it.

A configuration file is edited by hand and sometimes by mistake, so reading one must end in
either data or a ConfigError that names the file (and the line where YAML knows it); never a
traceback, never a half-read file, never unbounded memory. PyYAML's ``safe_load`` alone gives
none of that:

* bytes that are not UTF-8, a directory or a device in place of the file: raw OS/codec errors;
* duplicate keys: the last one silently wins, so a policy can lose half its conditions;
* ``[[[[...]]]]`` 20,000 deep: RecursionError inside the composer;
* aliases: ``&a [*a]`` builds a cycle, and nine levels of nine aliases ("billion laughs") load
  in a millisecond as a shared graph but expand to 10^9 values the moment anything walks it
  (the policy checksum, JSON for the queue);
* unquoted dates: ``2024-02-30`` is a ValueError while the document is built. Dates stay text
  here and the pydantic models parse them, so a bad one is reported with its field.

The limits below are far above any real configuration and far below what hurts a worker.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any, Final

import yaml
from yaml.composer import Composer, ComposerError
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader, ReaderError
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from hcc_operators.core.errors import ConfigError

#: Largest configuration file read (bytes). The shipped files are a few KiB.
MAX_FILE_BYTES: Final = 1024 * 1024
#: Deepest nesting of mappings and lists, counted with aliases expanded.
MAX_DEPTH: Final = 64
#: Most values (scalars, lists and mappings) a document may hold with aliases expanded.
MAX_VALUES: Final = 100_000

_MERGE_TAG = "tag:yaml.org,2002:merge"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _Resolver(Resolver):
    """YAML 1.1 resolution without implicit timestamps (dates are parsed by the models)."""


_Resolver.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in Resolver.yaml_implicit_resolvers.items()
}


class _DepthLimitedComposer(Composer):
    """Stops at MAX_DEPTH while the node tree is built, before Python's recursion limit."""

    _depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise ComposerError(
                    None,
                    None,
                    f"nested deeper than {MAX_DEPTH} levels",
                    self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _StrictConstructor(SafeConstructor):
    """SafeConstructor that refuses a key written twice in one mapping."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, MappingNode):
            first_seen: dict[Any, Any] = {}
            for key_node, _ in node.value:
                # Keys brought in by `<<: *base` may be overridden; only written keys count.
                if key_node.tag == _MERGE_TAG:
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    earlier = first_seen.setdefault(key, key_node.start_mark)
                except TypeError:
                    continue  # an unhashable key: SafeConstructor reports it
                if earlier is not key_node.start_mark:
                    raise ConstructorError(
                        "while reading a mapping",
                        node.start_mark,
                        f"duplicate key {key!r} (first written at line {earlier.line + 1}); "
                        "each key may appear once",
                        key_node.start_mark,
                    )
        return super().construct_mapping(node, deep=deep)


class _ConfigLoader(Reader, Scanner, Parser, _DepthLimitedComposer, _StrictConstructor, _Resolver):
    def __init__(self, stream):
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        _DepthLimitedComposer.__init__(self)
        _StrictConstructor.__init__(self)
        _Resolver.__init__(self)


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_expanded(root: Node) -> None:
    """Depth and value count as if every alias were copied out; cycles refused.

    Each distinct node is sized once (aliases share nodes), so this costs the size of the
    document as written, not as expanded. The walk stops at MAX_DEPTH, which bounds its own
    recursion.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()

    def size(node: Node, depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in on_path:
            raise ComposerError(
                None, None, "an alias refers to a list or mapping that contains it", node.start_mark
            )
        if depth > MAX_DEPTH:
            raise ComposerError(
                None,
                None,
                f"nested deeper than {MAX_DEPTH} levels once its aliases are expanded",
                node.start_mark,
            )
        on_path.add(key)
        total = 1
        for child in _children(node):
            total += size(child, depth + 1)
            if total > MAX_VALUES:
                raise ComposerError(
                    None,
                    None,
                    f"expands to more than {MAX_VALUES:,} values through its aliases "
                    "(an alias bomb?); write the values out or use fewer aliases",
                    node.start_mark,
                )
        on_path.discard(key)
        sizes[key] = total
        return total

    size(root, 1)


def _where(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def parse_config_text(text: str, *, source: str | None) -> Any:
    """The data of one YAML document, or ConfigError naming ``source`` and the line."""
    loader = None
    try:
        loader = _ConfigLoader(text)  # the reader refuses control characters right away
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expanded(node)
        return loader.construct_document(node)
    except ReaderError as exc:
        # Its own text spans two lines and counts characters; people count lines.
        line = text.count("\n", 0, exc.position) + 1
        raise ConfigError(
            f"not valid YAML at line {line}: the character #x{exc.character:04x} is not "
            "allowed in YAML (a control character)",
            source=source,
        ) from None
    except yaml.YAMLError as exc:
        problem = " ".join((getattr(exc, "problem", None) or str(exc)).split())
        raise ConfigError(f"not valid YAML{_where(exc)}: {problem}", source=source) from None
    except (ValueError, OverflowError, TypeError, RecursionError) as exc:
        # A value YAML resolves but Python cannot build (an explicit !!timestamp 2024-02-30,
        # an integer literal of thousands of digits).
        raise ConfigError(
            f"not valid YAML: a value cannot be read ({type(exc).__name__}: {exc})",
            source=source,
        ) from None
    finally:
        if loader is not None:
            loader.dispose()


def read_config_bytes(path: Path) -> bytes | None:
    """The file's bytes (None when it does not exist); anything else is a ConfigError."""
    source = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read the file: {exc.strerror or exc}", source=source) from None
    if stat.S_ISDIR(info.st_mode):
        raise ConfigError("is a directory, not a YAML file", source=source)
    if not stat.S_ISREG(info.st_mode):
        # A FIFO or a device would block or never end.
        raise ConfigError("is not a regular file", source=source)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read the file: {exc.strerror or exc}", source=source) from None
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError(
            f"is larger than {MAX_FILE_BYTES // 1024} KiB; that is not a configuration file",
            source=source,
        )
    return data


def decode_config(data: bytes, *, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"is not valid UTF-8: byte 0x{data[exc.start]:02x} at line {line}; save the file "
            "as UTF-8",
            source=source,
        ) from None


def load_config_file(path: str | Path, *, optional: bool = False) -> Any:
    """Read and parse one configuration file.

    A missing file is ``None`` when ``optional`` (the caller applies its defaults), else a
    ConfigError "file not found". An empty file is ``None`` too.
    """
    file = Path(path)
    data = read_config_bytes(file)
    if data is None:
        if optional:
            return None
        raise ConfigError("file not found", source=str(file))
    return parse_config_text(decode_config(data, source=str(file)), source=str(file))
