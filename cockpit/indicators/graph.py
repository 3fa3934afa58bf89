"""The dependency graph of indicators: which indicators a formula or composite reads.

One graph serves validation (cycles), refresh (the order to compute in, what a change affects,
what a subset needs, where the data behind a value ends) and the catalogue (the feeds behind a
value). Every walk is iterative: definitions are data, and a chain of thousands of formulas must
not meet Python's recursion limit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import sqlglot
from sqlglot import exp

from cockpit.indicators.model import Indicator

DIALECT = "duckdb"


class CycleError(ValueError):
    """The graph has a cycle; `ring` lists it from its first indicator (definition order)."""

    SHOWN = 6  # a ring longer than twice this is written with its middle left out

    def __init__(self, ring: list[str]):
        names = [*ring, ring[0]]
        if len(ring) > 2 * self.SHOWN:
            names = [*names[:self.SHOWN], f"… {len(ring) - 2 * self.SHOWN + 1:,} more …", *names[-self.SHOWN:]]
        super().__init__(f"dependency cycle {' → '.join(names)}")
        self.ring = ring


def dependencies(ind: Indicator) -> list[str]:
    """The ids an indicator reads, in order of first use; none for a formula that does not parse
    (validation reports why)."""
    if ind.composite:
        return list(dict.fromkeys(c.indicator for c in ind.composite.children))
    if ind.formula:
        try:
            tree = sqlglot.parse_one(ind.formula, read=DIALECT)
        except Exception:  # noqa: BLE001 - an unreadable formula reads nothing; validation says why
            return []
        return list(dict.fromkeys(c.name for c in tree.find_all(exp.Column)))
    return []


class Graph:
    """Indicators and the edges to the indicators they read (only those that exist)."""

    def __init__(self, indicators: Mapping[str, Indicator]):
        self.indicators = indicators
        self.reads: dict[str, list[str]] = {
            ident: [d for d in dependencies(ind) if d in indicators] for ident, ind in indicators.items()}
        self.read_by: dict[str, list[str]] = {ident: [] for ident in indicators}
        for ident, deps in self.reads.items():
            for dep in deps:
                self.read_by[dep].append(ident)

    def _depth_first(self, on_cycle: Callable[[list[str]], None]) -> list[str]:
        """Every indicator after those it reads (definition order otherwise); `on_cycle` is
        called with each back edge's ring, as the stack holds it."""
        order: list[str] = []
        state: dict[str, str] = {}
        for root in self.indicators:
            if root in state:
                continue
            state[root] = "open"
            path, pending = [root], [iter(self.reads[root])]
            while pending:
                dep = next(pending[-1], None)
                if dep is None:
                    done = path.pop()
                    pending.pop()
                    state[done] = "done"
                    order.append(done)
                elif state.get(dep) == "open":
                    on_cycle(path[path.index(dep):])
                elif dep not in state:
                    state[dep] = "open"
                    path.append(dep)
                    pending.append(iter(self.reads[dep]))
        return order

    def order(self) -> list[str]:
        """Every indicator after those it reads; CycleError if there is a cycle."""
        def fail(ring: list[str]) -> None:
            raise CycleError(self._from_first(ring))
        return self._depth_first(fail)

    def cycles(self) -> list[list[str]]:
        """Each dependency cycle once, written from the indicator defined first."""
        found: dict[frozenset[str], list[str]] = {}
        self._depth_first(lambda ring: found.setdefault(frozenset(ring), self._from_first(ring)))
        return list(found.values())

    def _from_first(self, ring: list[str]) -> list[str]:
        position = {ident: n for n, ident in enumerate(self.indicators)}
        start = min(range(len(ring)), key=lambda i: position[ring[i]])
        return ring[start:] + ring[:start]

    def _reach(self, start: Iterable[str], edges: Mapping[str, list[str]]) -> set[str]:
        out, stack = set(), [s for s in start if s in self.indicators]
        while stack:
            ident = stack.pop()
            if ident not in out:
                out.add(ident)
                stack.extend(edges[ident])
        return out

    def upstream(self, targets: Iterable[str]) -> set[str]:
        """`targets` and everything they read, directly or not."""
        return self._reach(targets, self.reads)

    def downstream(self, roots: Iterable[str]) -> set[str]:
        """`roots` and everything that reads them, directly or not."""
        return self._reach(roots, self.read_by)

    def gather(self, own: Callable[[Indicator], set[str]]) -> dict[str, set[str]]:
        """For each indicator, the union of `own` over it and everything it reads (the feeds
        behind a value): one pass in dependency order. Needs an acyclic graph."""
        out: dict[str, set[str]] = {}
        for ident in self.order():
            found = set(own(self.indicators[ident]))
            for dep in self.reads[ident]:
                found |= out[dep]
            out[ident] = found
        return out
