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
from rich.table import Column, Table

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="城市数字驾驶舱 (city digital cockpit): demo data, ingest, check, refresh, serve, "
                       "users, audit.")
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
    _demo_accounts()


# The demo's accounts: one of each kind of user, so a newcomer can sign in and see what each sees.
DEMO_ACCOUNTS = (
    ("demo-leader", "leader", "330000", None, False),
    ("demo-clerk", "staff", "330602", "越城区综合行政执法局", False),
    ("demo-analyst", "analyst", "330600", None, True),
    ("demo-admin", "admin", "330000", None, False),
)


def _demo_accounts() -> None:
    """Make the demo's accounts once, each with a fresh random password, written (readable by its
    owner only) to <data dir>/demo-accounts.txt and printed: no password is shipped in the code."""
    import os
    import secrets

    from cockpit.config import paths
    from cockpit.state import accounts

    listing = paths().data / "demo-accounts.txt"
    made = []
    for name, role, region, department, personal in DEMO_ACCOUNTS:
        if accounts.find_user(name) is None:
            password = f"Demo-{secrets.token_urlsafe(9)}-7"
            accounts.add_user(name, password, role, region, department, personal, actor="cockpit demo")
            made.append(f"{name}\t{password}\t{role} {region}{' ' + department if department else ''}")
    if made:
        listing.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(listing, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write("\n".join(made) + "\n")
        console.print("demo: accounts to sign in with (also in " + str(listing) + "):\n  " + "\n  ".join(made))
    elif listing.exists():
        console.print(f"demo: sign in with an account listed in {listing}")


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
                _audit("ingest_failed", feed, {"file": str(path), "problem": str(exc)[:500]})
                progress.advance(task)
                continue
            _audit("ingest", feed, {"file": str(path), "read": r.rows_read, "loaded": r.loaded,
                                    "quarantined": r.quarantined, "duplicates": r.duplicates,
                                    "superseded": r.superseded, "updated": r.updated})
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
    """Validate the feed contracts, the indicator definitions and the departments' themes
    (data/departments.yaml); every problem, with file and line."""
    from cockpit.feeds.contracts import load_contracts
    from cockpit.indicators.definitions import read_systems
    from cockpit.indicators.validate import check_directory
    from cockpit.query.departments import check_department_themes

    load_contracts()  # raises ContractError listing every contract problem
    problems = check_directory()
    departments, department_problems = check_department_themes()
    if problems or department_problems:
        for p in [*problems, *department_problems]:
            print(p, file=sys.stderr)
        where = [what for what, found in (("the indicator definitions", problems),
                                          ("the departments' themes", department_problems)) if found]
        raise CommandError(f"{len(problems) + len(department_problems)} problem(s) in {' and '.join(where)}")
    systems, _ = read_systems()
    count = sum(len(s.indicators) for s in systems)
    console.print(f"check: {len(systems)} indicator systems, {count} indicators, "
                  f"{len(departments.kinds)} department kinds: all valid")


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
    _audit("refresh", report.snapshot_id, {"only": only, "feeds": feeds, "values": report.values,
                                           "computed": len(report.computed), "carried_over": len(report.copied),
                                           "failed": len(report.failed), "seconds": round(report.seconds, 1)})
    return report


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (0.0.0.0 for the whole intranet)."),
    port: int = typer.Option(8050, help="Port."),
    workers: int = typer.Option(None, min=1, help="Worker processes (default: one per core, 2 to 8)."),
    threads: int = typer.Option(8, min=1, help="Threads per worker."),
) -> None:
    """Serve the cockpit at http://HOST:PORT with gunicorn: several workers, replaced when one dies;
    a newly published snapshot is picked up without a restart."""
    from cockpit.web import default_workers
    from cockpit.web import serve as serve_app

    workers = workers or default_workers()
    console.print(f"serving the cockpit at http://{host}:{port} with {workers} workers × {threads} threads"
                  "  (Ctrl-C stops)")
    serve_app(host=host, port=port, workers=workers, threads=threads)


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


# -- accounts, the audit trail and the state store ----------------------------------------------

users_app = typer.Typer(no_args_is_help=True, help="Accounts: add, list, disable, enable, change passwords.")
audit_app = typer.Typer(no_args_is_help=True, help="The audit trail: verify its chain, list, export to CSV.")
state_app = typer.Typer(no_args_is_help=True, help="The state store (users, sessions, audit) at COCKPIT_STATE_URL: "
                                                  "upgrade its schema, prune ended sessions.")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(state_app, name="state")
report = Console()  # standard output: the tables and results these commands exist to show


def _audit(action: str, target: str | None, details: dict) -> None:
    """Append what a command changed (an ingest, a refresh) to the audit trail; a state store that
    cannot be written is said, and does not undo the change the command made."""
    from cockpit.state import audit
    from cockpit.state.store import StateError

    try:
        audit.record(_actor(), action, target, details)
    except (StateError, OSError) as error:
        console.print(f"[yellow]warning[/] not audited ({action} {target}): {error}")


def _actor() -> str:
    """Who the audit trail names for a change made at the command line."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for the uid (a container)
        return "cli"


def _new_password(name: str) -> str:
    """The password typed twice: prompted (hidden) at a terminal, else two lines of standard input."""
    from cockpit.state.accounts import check_password_policy

    if sys.stdin.isatty():
        while True:
            password = typer.prompt(f"password for {name}", hide_input=True, confirmation_prompt=True)
            problems = check_password_policy(name, password)
            if not problems:
                return password
            console.print(f"the password is refused: {'; '.join(problems)}")
    first, second = sys.stdin.readline(), sys.stdin.readline()
    if not first or not second:
        raise CommandError("give the password twice on standard input, one line each")
    first, second = first.rstrip("\r\n"), second.rstrip("\r\n")
    if first != second:
        raise CommandError("the two passwords differ: nothing was changed")
    return first


def _region_name(code: str) -> str:
    """The region `code` names: in the published snapshot's hierarchy, or the reference regions
    (data/regions/) before any snapshot is published. CommandError naming the code otherwise."""
    from cockpit.query.snapshot import NoSnapshot, current_snapshot

    try:
        snapshot = current_snapshot()
    except NoSnapshot:
        snapshot = None
    if snapshot is not None:
        try:
            return snapshot.region(code)["name"]
        except KeyError:
            raise CommandError(f"unknown region code {code!r}: the published snapshot {snapshot.id} has no such "
                               f"region ({snapshot.roots()[0]} is the whole hierarchy)") from None
    from cockpit.regions.hierarchy import load_hierarchy

    hierarchy = load_hierarchy()
    if code not in hierarchy:
        roots = ", ".join(r.code for r in hierarchy.roots())
        raise CommandError(f"unknown region code {code!r}: no such region in the region files "
                           f"({roots} is the whole hierarchy)")
    return hierarchy.get(code).name


@users_app.command("add")
def users_add(
    name: str = typer.Argument(..., help="The sign-in name."),
    role: str = typer.Option(..., help="leader | staff | analyst | admin."),
    region: str = typer.Option(..., help="The code of the region whose subtree the user sees, e.g. 330602."),
    department: str = typer.Option(None, help="The handling department whose records a staff member sees; its "
                                   "kind in data/departments.yaml gives the indicator themes it sees."),
    personal_data: bool = typer.Option(False, "--personal-data", help="May see names and phone numbers unmasked."),
) -> None:
    """Add an account; the password is asked twice (or read as two lines of standard input)."""
    from cockpit.state import accounts
    from cockpit.state.schema import ROLES

    if role not in ROLES:
        raise CommandError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    if role == "staff" and not (department or "").strip():
        raise CommandError("a staff account needs --department: it sees that department's records")
    if accounts.find_user(name.strip()) is not None:
        raise CommandError(f"a user named {name.strip()!r} already exists")
    place = _region_name(region)
    user = accounts.add_user(name, _new_password(name.strip()), role, region, department, personal_data,
                             actor=_actor())
    console.print(f"users: added {user.name} ({user.role}, {user.region} {place}"
                  + (f", {user.department}" if user.department else "")
                  + (", personal data" if user.personal_data else "") + ")")
    if user.role == "staff":
        console.print(_department_note(user))


def _department_note(user) -> str:
    """What a staff account's department gives it (data/departments.yaml): a department of no kind
    sees no theme, and whoever adds the account should know."""
    from cockpit.query.departments import DEPARTMENTS_FILE, DepartmentConfigError, department_themes

    try:
        kind = department_themes().kind_of(user.department)
    except DepartmentConfigError:
        return f"users: {DEPARTMENTS_FILE.name} has problems (`cockpit check` names them): fix it before serving"
    if kind is None:
        return f"users: {user.department} is of no kind in {DEPARTMENTS_FILE.name}: {user.name} sees no theme"
    return f"users: {user.name} sees the themes of a {kind.name}: {', '.join(sorted(kind.themes))}"


@users_app.command("list")
def users_list() -> None:
    """The accounts: role, region, department, rights, and whether disabled or locked."""
    from cockpit.state import accounts

    found, locked = accounts.list_users(), accounts.locks()
    table = Table("name", "role", "region", "department", "personal data", "disabled", "locked (UTC)",
                  title=f"{len(found)} users")
    for user in found:
        until = locked.get(user.name)
        table.add_row(user.name, user.role, user.region, user.department or "", "yes" if user.personal_data else "",
                      "yes" if user.disabled else "", f"until {until:%Y-%m-%d %H:%M}" if until else "")
    report.print(table)


@users_app.command("disable")
def users_disable(name: str = typer.Argument(..., help="The account to disable.")) -> None:
    """Disable an account: it can no longer sign in and its sessions end now."""
    from cockpit.state import accounts

    user = accounts.find_user(name)
    if user is None:
        raise CommandError(f"no user is named {name!r}")
    if user.disabled:
        console.print(f"users: {name} was already disabled")
        return
    ended = accounts.disable_user(name, actor=_actor())
    console.print(f"users: {name} disabled; {ended} session(s) ended")


@users_app.command("enable")
def users_enable(name: str = typer.Argument(..., help="The account to enable again.")) -> None:
    """Enable a disabled account: it can sign in again with its password (the sessions ended when
    it was disabled stay ended)."""
    from cockpit.state import accounts

    user = accounts.find_user(name)
    if user is None:
        raise CommandError(f"no user is named {name!r}")
    if not user.disabled or not accounts.enable_user(name, actor=_actor()):
        console.print(f"users: {name} was not disabled")
        return
    console.print(f"users: {name} enabled; it can sign in again")


@users_app.command("passwd")
def users_passwd(name: str = typer.Argument(..., help="The account whose password to set.")) -> None:
    """Set an account's password (asked twice, or two lines of standard input); it also lifts a
    lock after wrong passwords and ends the account's sessions."""
    from cockpit.state import accounts

    if accounts.find_user(name) is None:
        raise CommandError(f"no user is named {name!r}")
    ended = accounts.set_password(name, _new_password(name), actor=_actor())
    console.print(f"users: password of {name} changed; {ended} session(s) ended")


def _since(text: str | None):
    from datetime import datetime

    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--since {text!r} is not a date or time (YYYY-MM-DD or YYYY-MM-DDTHH:MM, UTC)") from None


@audit_app.command("verify")
def audit_verify() -> None:
    """Walk the hash chain from the first entry; exit 1 naming the first entry edited, inserted or
    deleted. Keep the head it prints elsewhere: a chain cut short at its end is only seen against it."""
    from cockpit.state import audit

    verdict = audit.verify()
    if not verdict.ok:
        raise CommandError(f"the audit trail is broken: {verdict.problem} "
                           f"({verdict.entries:,} entries before it hold)")
    head = f"#{verdict.head_seq} {verdict.head_hash}" if verdict.head_seq else "none (the trail is empty)"
    print(f"audit: {verdict.entries:,} entries checked, the chain holds; head {head}")  # not rich: no wrapping


@audit_app.command("list")
def audit_list(
    since: str = typer.Option(None, help="Entries from this date or time on (UTC), e.g. 2026-11-20."),
    actor: str = typer.Option(None, help="Only this actor (a user name, or cli:<login>)."),
    action: str = typer.Option(None, help="Only this action, e.g. sign_in_failed; ending in '*', a prefix: 'sign_in*'."),
    limit: int = typer.Option(50, min=1, help="The newest this many entries."),
) -> None:
    """The newest entries of the audit trail, oldest first."""
    from cockpit.state import audit

    table = Table("#", "at (UTC)", "actor", "action", "target", "address", Column("details", overflow="fold"))
    for entry in audit.entries(_since(since), actor, action, limit):
        table.add_row(str(entry["seq"]), f"{entry['at']:%Y-%m-%d %H:%M:%S}", entry["actor"], entry["action"],
                      entry["target"] or "", entry["address"] or "", audit.details_json(entry["details"]))
    table.title = f"audit: {table.row_count} entries" + (f" (the newest {limit})" if table.row_count == limit else "")
    report.print(table)


@audit_app.command("export")
def audit_export(
    file: Path = typer.Argument(..., help="The CSV file to write (UTF-8 with BOM, for Excel)."),
    since: str = typer.Option(None, help="Entries from this date or time on (UTC)."),
    actor: str = typer.Option(None, help="Only this actor."),
    action: str = typer.Option(None, help="Only this action; ending in '*', a prefix."),
) -> None:
    """Export the audit trail (or the entries filtered) to CSV; cells that a spreadsheet would
    take for a formula are written as text."""
    from cockpit.state import audit

    if not file.parent.is_dir():
        raise CommandError(f"{file}: the folder {file.parent} does not exist")
    count = audit.export_csv(file, _since(since), actor, action)
    console.print(f"audit: {count:,} entries written to {file}")


@state_app.command("upgrade")
def state_upgrade() -> None:
    """Bring the state store's schema up to date (the cockpit also does so on first use)."""
    from cockpit.config import state_url
    from cockpit.state import store

    revision = store.upgrade()
    console.print(f"state: {store.describe(state_url())} is at revision {revision}")


@state_app.command("prune")
def state_prune() -> None:
    """Delete the sessions that have ended (signed out, idle or past their lifetime, ended by a
    disable or a new password); for a daily timer. Signing in deletes a few too. The audit trail
    is never pruned."""
    from cockpit.config import session_limits
    from cockpit.state import accounts

    removed = accounts.prune_sessions()
    limits = session_limits()
    console.print(f"state: {removed:,} ended session(s) deleted (signed out, or idle over "
                  f"{limits.idle.total_seconds() / 60:g} min, or signed in over "
                  f"{limits.absolute.total_seconds() / 3600:g} h ago); the audit trail is kept whole")


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
