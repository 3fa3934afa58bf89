"""The `cockpit` command: build the demo, ingest files, serve the app.

Errors are one clear line (`error: …`) and a non-zero exit; `--debug` shows the traceback.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="城市数字驾驶舱 (city digital cockpit): demo data, ingest, check, refresh, serve.")
console = Console(stderr=True)
_state = {"debug": False}


class CommandError(Exception):
    """A failure the user can act on: printed as one line, without a traceback."""


@app.callback()
def _main(debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors.")) -> None:
    _state["debug"] = debug


@app.command()
def demo(
    scale: float = typer.Option(1.0, help="Volume multiplier: 1 ≈ 1.8 million records (2.9 million rows with the 12345 orders' versions), 10 about ten times that."),
    seed: int = typer.Option(None, help="Random seed; the same seed and scale give the same data."),
    end: str = typer.Option(None, help="Last day of the 36 months (YYYY-MM-DD); default today."),
    if_missing: bool = typer.Option(False, "--if-missing", help="Do nothing when the lake already holds data."),
    force: bool = typer.Option(False, "--force", help="Replace a lake that holds non-demo data."),
) -> None:
    """Generate the synthetic demo city (36 months, all feeds) into the lake, then refresh the indicators."""
    from cockpit.config import paths
    from cockpit.demo.build import build_demo, lake_has_data
    from cockpit.demo.generate import DEFAULT_SEED
    from cockpit.feeds.contracts import load_contracts
    from cockpit.indicators.snapshot import current_path

    lake = paths().lake
    if if_missing and lake_has_data(lake):
        console.print(f"demo: {lake} already holds data")
    else:
        try:
            end_date = date.fromisoformat(end) if end else None
        except ValueError:
            raise CommandError(f"--end {end!r} is not a date (YYYY-MM-DD)") from None
        tables = load_contracts().tables
        with _progress() as progress:
            task = progress.add_task("demo", total=len(tables))

            def on_table(table, result):
                progress.update(task, advance=1, description=f"{table} ({result.loaded:,} rows)")

            report = build_demo(scale=scale, seed=DEFAULT_SEED if seed is None else seed, end=end_date,
                                lake_dir=lake, replace_real_data=force, on_table=on_table)
        console.print(f"demo: {report.rows:,} rows in {len(report.results)} tables written to {lake} "
                      f"in {report.seconds:.1f} s")
    if not (if_missing and current_path() is not None):
        _refresh()


@app.command()
def ingest(
    feed: str = typer.Argument(..., help="The table to load into, e.g. hotline_orders (see data/contracts/)."),
    files: list[Path] = typer.Argument(..., help="CSV (UTF-8 or GBK), XLSX, Parquet or JSON-lines files."),
    encoding: str = typer.Option(None, help="Force the text encoding of CSV files (e.g. gbk, utf-8)."),
    refresh_after: bool = typer.Option(True, "--refresh/--no-refresh",
                                       help="Recompute the indicators this feed affects when rows were loaded."),
) -> None:
    """Check files against the feed's contract and append the good rows to the lake."""
    from cockpit.feeds.contracts import load_contracts
    from cockpit.feeds.ingest import AUTO_COMPACT_PARTS, IngestError, ingest_file
    from cockpit.indicators.snapshot import current_path

    contracts = load_contracts()
    if feed not in contracts:
        raise CommandError(f"unknown feed {feed!r}; feeds are: {', '.join(t.name for t in contracts.tables)}")
    # read = loaded + quarantined + duplicates + superseded; "updates" counts the loaded rows that
    # are newer versions of stored records.
    table = Table("file", "read", "loaded", "quarantined", "duplicates", "superseded", "updates",
                  title=f"ingest {feed}")
    failed, loaded_any = [], False
    with _progress() as progress:
        task = progress.add_task(feed, total=len(files))
        for path in files:
            progress.update(task, description=f"{path.name}")
            try:
                r = ingest_file(feed, path, encoding=encoding, contracts=contracts)
            except IngestError as exc:
                failed.append(str(exc))
                progress.advance(task)
                continue
            loaded_any = loaded_any or r.loaded > 0
            table.add_row(str(path), f"{r.rows_read:,}", f"{r.loaded:,}", f"{r.quarantined:,}", f"{r.duplicates:,}",
                          f"{r.superseded:,}", f"{r.updated:,}")
            for problem in r.sample_problems[:5]:
                console.print(f"  [yellow]quarantined[/] {problem}")
            if r.already_quarantined:
                console.print(f"  {path.name}: {r.already_quarantined:,} of the quarantined rows were already in "
                              "quarantine from an earlier ingest of the same file: not added again")
            if r.ignored_columns:
                console.print(f"  {path.name}: ignored columns: {', '.join(r.ignored_columns)}")
            if r.compacted:
                console.print(f"  {feed}: compacted (more than {AUTO_COMPACT_PARTS} part files)")
            for warning in r.warnings:
                console.print(f"  [yellow]warning[/] {path.name}: {warning}")
            progress.advance(task)
    if table.row_count:
        console.print(table)
    if refresh_after and loaded_any and current_path() is not None:
        _refresh(feeds=[feed])
    if failed:
        raise CommandError("\n".join(failed))


@app.command()
def compact(
    feed: str = typer.Argument(None, help="The table to compact, e.g. hotline_orders; default every table."),
) -> None:
    """Rewrite a table's part files into one part of its records (the latest version of each key)
    and a history part of the superseded versions; readers are never interrupted."""
    from cockpit.config import paths
    from cockpit.feeds.contracts import load_contracts
    from cockpit.feeds.lake import compact as compact_table
    from cockpit.feeds.lake import table_dir

    contracts = load_contracts()
    if feed is not None and feed not in contracts:
        raise CommandError(f"unknown feed {feed!r}; feeds are: {', '.join(t.name for t in contracts.tables)}")
    lake = paths().lake
    tables = [contracts.table(feed)] if feed is not None else contracts.tables
    for contract in tables:
        if feed is None and not table_dir(lake, contract.name).is_dir():
            continue  # nothing was ever loaded: nothing to say
        console.print(f"compact: {compact_table(lake, contract.name, contract).summary()}")


@app.command()
def check() -> None:
    """Validate the feed contracts and the indicator definitions; every problem, with file and line."""
    from cockpit.feeds.contracts import load_contracts
    from cockpit.indicators.definitions import read_systems
    from cockpit.indicators.validate import check_directory

    load_contracts()  # raises ContractError listing every contract problem
    problems = check_directory()
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        raise CommandError(f"{len(problems)} problem(s) in the indicator definitions")
    systems, _ = read_systems()
    count = sum(len(s.indicators) for s in systems)
    console.print(f"check: {len(systems)} indicator systems, {count} indicators: all valid")


@app.command()
def refresh(
    only: str = typer.Option(None, "--only", help="Recompute one indicator system; carry the others over."),
    feed: list[str] = typer.Option(None, "--feed", help="Recompute what these feeds affect (after an ingest)."),
) -> None:
    """Compute every indicator for every region and period, and publish a new snapshot.

    Exit 0: published; 3: published, but some indicators failed and keep their previous values
    (each printed with its file and line); 1: nothing published."""
    if _refresh(only=only, feeds=feed or None).failed:
        raise typer.Exit(PARTIAL_REFRESH)


PARTIAL_REFRESH = 3  # exit status of a refresh that published all but the indicators that failed


def _refresh(only: str | None = None, feeds: list[str] | None = None):
    from cockpit.indicators.refresh import refresh as run_refresh

    with console.status("refreshing indicators…"):
        report = run_refresh(only=only, feeds=feeds)
    stages = ", ".join(f"{k} {v:.1f} s" for k, v in report.stage_seconds.items())
    console.print(f"refresh: snapshot {report.snapshot_id}: {report.values:,} values of "
                  f"{len(report.computed)} indicators computed"
                  + (f", {len(report.copied)} carried over" if report.copied else "")
                  + (f", {len(report.failed)} failed" if report.failed else "")
                  + f" in {report.seconds:.1f} s ({stages})")
    for failure in report.failed:
        print(f"failed: {failure}", file=sys.stderr)  # not rich: a long path must not be wrapped
    return report


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (0.0.0.0 for the whole intranet)."),
    port: int = typer.Option(8050, help="Port."),
    threads: int = typer.Option(8, help="Worker threads."),
) -> None:
    """Serve the cockpit at http://HOST:PORT."""
    from cockpit.web import serve as serve_app

    console.print(f"serving the cockpit at http://{host}:{port}  (Ctrl-C stops)")
    serve_app(host=host, port=port, threads=threads)


@app.command()
def bench(
    quick: bool = typer.Option(False, "--quick", help="A small demo and few repeats: under two minutes."),
    out: Path = typer.Option(None, help="Where to write BENCHMARKS.md and docs/benchmarks/ "
                                        "(default: the repository for the full run, build/bench for --quick)."),
) -> None:
    """Run the benchmarks (build, ingest, refresh, scan bound, pandas baseline, big screen, memory)
    and write BENCHMARKS.md with plots."""
    from cockpit.config import REPO_ROOT

    if str(REPO_ROOT) not in sys.path:  # bench/ sits beside the package in the checkout, not inside it
        sys.path.insert(0, str(REPO_ROOT))
    try:
        from bench.run import MODES, run
    except ImportError as exc:
        raise CommandError(f"the benchmarks run from a checkout of the repository ({exc})") from None
    mode = MODES["quick" if quick else "full"]
    target = out or (REPO_ROOT / "build" / "bench" if quick else REPO_ROOT)
    results = run(mode, target)
    console.print(f"bench: {mode.name} run in {results['seconds'] / 60:.1f} min; report in {target}")


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=True)


def main() -> None:
    """Entry point: run the command, turning known failures into one line on stderr."""
    try:
        status = app(standalone_mode=False)  # without standalone mode, click returns typer.Exit's code
        if isinstance(status, int) and status:
            sys.exit(status)
    except (typer.Abort, KeyboardInterrupt):
        console.print("aborted")
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # noqa: BLE001 - the one place that turns errors into a line
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if _state["debug"]:
            raise
        # Our own errors and the system's (file not found, disk full) are messages for the user;
        # anything else is a bug, named by its type so it can be reported.
        ours = isinstance(exc, CommandError | OSError) or type(exc).__module__.startswith("cockpit")
        prefix = "error" if ours else f"error ({type(exc).__name__})"
        for line in str(exc).splitlines() or [repr(exc)]:
            print(f"{prefix}: {line}", file=sys.stderr)  # not rich: a long path must not be wrapped
        sys.exit(1)


if __name__ == "__main__":
    main()
