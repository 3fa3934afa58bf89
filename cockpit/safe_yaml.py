"""Reading definition files (indicators, contracts) as YAML with limits on what a document may cost.

YAML aliases make a few lines stand for an exponential amount of data: nine lines of
`&a [*b, *b, …]` ("billion laughs") are a thousand million values once expanded, and anything
that walks or prints them (a reader turning a value to text, a message quoting it) runs out of
memory. Definition files are written by hand and are small, so a document is refused, before
anything walks it, when it is larger than MAX_BYTES, nests deeper than MAX_DEPTH, uses more than
MAX_ALIASES aliases or stands for more than MAX_NODES values with its aliases expanded.
Composition is where the expanded size is counted: every node's size is known when it is
complete, and an alias adds the size of the node it names without copying it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, SequenceNode

MAX_BYTES = 2 * 1024 * 1024  # the shipped files are under 100 KB
MAX_NODES = 200_000  # values, aliases expanded: the largest shipped file has about 2,000
MAX_ALIASES = 1_000
MAX_DEPTH = 64  # nested mappings and lists; the shipped files nest five deep


class YamlLimitError(yaml.MarkedYAMLError):
    """A document beyond one of the limits, at the line where it went beyond it."""

    def __init__(self, message: str, mark: yaml.Mark | None = None):
        super().__init__(problem=message, problem_mark=mark)
        self.message = message

    @property
    def line(self) -> int:
        return self.problem_mark.line + 1 if self.problem_mark is not None else 1

    def __str__(self) -> str:
        return self.message


class _Limited:
    """Mixed into a PyYAML loader, ahead of it: counts nodes, aliases and depth as it composes."""

    def compose_document(self):  # type: ignore[no-untyped-def]
        self._aliases, self._depth = 0, 0
        return super().compose_document()  # type: ignore[misc]

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        event = self.peek_event()  # type: ignore[attr-defined]
        if isinstance(event, AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise YamlLimitError(f"more than {MAX_ALIASES:,} aliases (*name): write the values out",
                                     event.start_mark)
            node = super().compose_node(parent, index)  # type: ignore[misc]
            if getattr(node, "_expanded", None) is None:  # named inside itself: it would never end
                raise YamlLimitError(f"alias *{event.anchor} refers to a value that contains it", event.start_mark)
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise YamlLimitError(f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
        node = super().compose_node(parent, index)  # type: ignore[misc]
        self._depth -= 1
        node._expanded = 1 + sum(child._expanded for child in _children(node))
        if node._expanded > MAX_NODES:
            raise YamlLimitError(f"stands for more than {MAX_NODES:,} values once its aliases (*name) are "
                                 "expanded: write the values out or use fewer aliases", node.start_mark)
        return node


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


@cache
def _limited(loader: type[yaml.SafeLoader]) -> type[yaml.SafeLoader]:
    return type(f"Limited{loader.__name__}", (_Limited, loader), {})


def load_yaml(path: Path, loader: type[yaml.SafeLoader] = yaml.SafeLoader) -> Any:
    """The one document of a UTF-8 YAML file, read with `loader` (a SafeLoader or a subclass)
    within the limits above. Raises YamlLimitError (a yaml.YAMLError, with the line) beyond
    them, yaml.YAMLError for YAML that does not parse, UnicodeDecodeError for text that is not
    UTF-8."""
    with path.open("rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise YamlLimitError(f"is larger than {MAX_BYTES // (1024 * 1024)} MB: definition files are written by hand; "
                             "split it into several files")
    return yaml.load(data.decode("utf-8"), Loader=_limited(loader))  # noqa: S506 - a SafeLoader, limited
