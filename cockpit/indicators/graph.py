"""The dependency graph of indicators: which indicators a formula or composite reads.

One graph serves validation (cycles), refresh (the order to compute in, what a change affects,
what a subset needs, where the data behind a value ends) and the catalogue (the feeds behind a
value). Every walk is iterative: definitions are data, and a chain of thousands of formulas must
not meet Python's recursion limit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import sqlglot
from sqlglot import exp

from cockpit.indicators.formulas import uses_time_functions
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
        self._link({ident: [d for d in dependencies(ind) if d in indicators] for ident, ind in indicators.items()})

    @classmethod
    def from_reads(cls, reads: Mapping[str, Sequence[str]]) -> Graph:
        """The graph of a published catalogue (each indicator and the ids it reads, as refresh
        wrote them into the snapshot), without the definitions: walks and lineage work, `gather`
        and `breakdowns` need the definitions."""
        graph = cls.__new__(cls)
        graph.indicators = {}
        graph._link({ident: [d for d in deps if d in reads] for ident, deps in reads.items()})
        return graph

    def _link(self, reads: dict[str, list[str]]) -> None:
        self.reads = reads
        self.read_by: dict[str, list[str]] = {ident: [] for ident in reads}
        for ident, deps in self.reads.items():
            for dep in deps:
                self.read_by[dep].append(ident)

    def _depth_first(self, on_cycle: Callable[[list[str]], None]) -> list[str]:
        """Every indicator after those it reads (definition order otherwise); `on_cycle` is
        called with each back edge's ring, as the stack holds it."""
        order: list[str] = []
        state: dict[str, str] = {}
        for root in self.reads:
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
        position = {ident: n for n, ident in enumerate(self.reads)}
        start = min(range(len(ring)), key=lambda i: position[ring[i]])
        return ring[start:] + ring[:start]

    def _reach(self, start: Iterable[str], edges: Mapping[str, list[str]]) -> set[str]:
        out, stack = set(), [s for s in start if s in self.reads]
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

    def breakdowns(self) -> dict[str, tuple[str, ...]]:
        """The columns each indicator is split by: a measure's declared `breakdown`; a formula's,
        the columns every indicator it reads is split by (in the order its first reference
        declares them), when it is plain arithmetic over the same period (no yoy(), ytd() or
        other time function: those would need every category's history at every step); a
        composite's, none (its scores normalise regions against each other, not categories).
        One pass in dependency order. Needs an acyclic graph."""
        out: dict[str, tuple[str, ...]] = {}
        for ident in self.order():
            ind = self.indicators[ident]
            if ind.measure is not None:
                out[ident] = tuple(ind.measure.breakdown)
            elif ind.formula and self.reads[ident] and not _has_time_functions(ind.formula):
                first, *rest = (out[dep] for dep in self.reads[ident])
                out[ident] = tuple(c for c in first if all(c in other for other in rest))
            else:
                out[ident] = ()
        return out

    def lineage(self, ident: str, own_feeds: Mapping[str, Iterable[str]], steps: int = 2) -> dict:
        """Where an indicator's value comes from and where it goes: the feeds behind it (through
        everything it reads), the indicators it reads and those reading it (directly), and the
        edges (from, to: `from` is read by `to`) of its neighbourhood up to `steps` reads up and
        down. `own_feeds`: the feeds each indicator reads itself (a measure its feed)."""
        if ident not in self.reads:
            raise KeyError(f"no indicator {ident!r} in the dependency graph")
        feeds = sorted({f for i in self.upstream([ident]) for f in own_feeds.get(i, ())})
        edges: set[tuple[str, str]] = set()
        for edges_of, as_edge in ((self.reads, lambda a, b: (b, a)), (self.read_by, lambda a, b: (a, b))):
            frontier, seen = [ident], {ident}
            for _ in range(steps):
                nxt = []
                for node in frontier:
                    for other in edges_of[node]:
                        edges.add(as_edge(node, other))
                        if other not in seen:
                            seen.add(other)
                            nxt.append(other)
                frontier = nxt
        return {"feeds": feeds, "inputs": list(self.reads[ident]), "used_by": list(self.read_by[ident]),
                "edges": sorted(edges)}


def _has_time_functions(formula: str) -> bool:
    try:
        return uses_time_functions(formula)
    except Exception:  # noqa: BLE001 - an unreadable formula is split by nothing; validation says why
        return True
