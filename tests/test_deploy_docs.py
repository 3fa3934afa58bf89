"""docs/DEPLOY.md stays true to the code: every `cockpit …` command it gives names a command that
exists, with options that exist; its nginx site's static locations are the app's static prefixes,
its upstream is the port the service is started on, its body limit the app's; every COCKPIT_*
variable it names is one the code reads."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer

from cockpit import cli
from cockpit.config import REPO_ROOT

DOC = REPO_ROOT / "docs" / "DEPLOY.md"
FENCE = re.compile(r"^```([\w-]*)\n(.*?)^```", re.S | re.M)
CRON_FIELD = re.compile(r"^[\d*/,-]+$")
SEPARATORS = {";", "&&", "||", "|", "&", "(", ")"}


def doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def fenced_blocks(lang: str | None = None) -> list[str]:
    return [body for found, body in FENCE.findall(doc_text()) if lang is None or found == lang]


def is_cockpit(word: str) -> bool:
    return word == "cockpit" or word.endswith("/bin/cockpit")


def commands_in(line: str) -> list[list[str]]:
    """The arguments of each `cockpit` command on one shell, unit-file or cron line."""
    line = re.sub(r"^Exec\w*=", "", line.strip())
    try:
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()")
        lexer.whitespace_split = True
        lexer.commenters = "#"
        tokens = list(lexer)
    except ValueError:  # not shell (an nginx or ini line with a stray quote)
        assert not re.search(r"(^|\s)(\S*/bin/)?cockpit\s", line), f"cannot read this command line: {line}"
        return []
    if len(tokens) > 6 and all(CRON_FIELD.match(t) for t in tokens[:5]):
        tokens = tokens[6:]  # /etc/cron.d: five time fields and the user
    found, command = [], []
    for token in [*tokens, ";"]:
        if token not in SEPARATORS:
            command.append(token)
            continue
        while command and command[0] == "sudo":
            command = command[1:]
        if command[:1] == ["runuser"] and "--" in command:
            command = command[command.index("--") + 1:]
        if command and is_cockpit(command[0]):
            found.append(command[1:])
        command = []
    return found


def command_lines() -> list[list[str]]:
    """The arguments of every `cockpit` command in the document's code blocks: lines to run."""
    found = []
    for body in fenced_blocks():
        for line in body.replace("\\\n", " ").splitlines():
            found.extend(commands_in(line))
    return found


def commands_named() -> list[list[str]]:
    """The `cockpit` commands named in the prose's inline code (`cockpit users enable NAME`, or
    `cockpit ingest` alone: a command spoken of, whose arguments are not the point)."""
    found = []
    for span in re.findall(r"`([^`]+)`", FENCE.sub("", doc_text())):
        span = " ".join(span.split())
        if re.match(r"(\S*/bin/)?cockpit\s", span):
            found.extend(commands_in(span))
    return found


# Typer carries its own copy of click (`typer._click`): groups, options and arguments are told
# apart by what they have, not by click's classes.


def is_group(command) -> bool:
    return hasattr(command, "commands")


def params(command, kind: str) -> list:
    return [p for p in command.params if p.param_type_name == kind]


def check_command(args: list[str], complete: bool = True) -> tuple[str, ...]:
    """The path of subcommands `cockpit ARGS` runs; AssertionError naming what does not exist, or,
    when `complete`, an argument missing or one too many."""
    command = typer.main.get_command(cli.app)
    path: list[str] = []
    args = list(args)
    said = "cockpit " + " ".join(args)
    while is_group(command):
        while args and args[0].startswith("-"):
            option(command, args.pop(0), said)
        assert args, f"{said!r}: `cockpit {' '.join(path)}` needs one of {sorted(command.commands)}"
        name = args.pop(0)
        assert name in command.commands, f"{said!r}: no command `cockpit {' '.join([*path, name])}`"
        command, path = command.commands[name], [*path, name]
    positional = []
    while args:
        token = args.pop(0)
        if token == "--":
            positional.extend(args)
            break
        if token.startswith("-") and token != "-":
            param = option(command, token, said)
            if param is not None and not param.is_flag and not param.count and "=" not in token:
                assert args, f"{said!r}: {token} needs a value"
                args.pop(0)
        else:
            positional.append(token)
    arguments = params(command, "argument")
    if not complete:
        return tuple(path)
    required = sum(1 for a in arguments if a.required)  # one value at least, for a list (nargs=-1)
    assert len(positional) >= required, f"{said!r}: `cockpit {' '.join(path)}` needs {required} argument(s)"
    if not any(a.nargs == -1 for a in arguments):
        assert len(positional) <= len(arguments), f"{said!r}: `cockpit {' '.join(path)}` takes {len(arguments)}"
    return tuple(path)


def option(command, token: str, said: str):
    """The option `token` names (None for --help, which every command has); AssertionError if none."""
    name = token.split("=", 1)[0]
    if name == "--help":
        return None
    for param in params(command, "option"):
        if name in (*param.opts, *param.secondary_opts):
            return param
    known = sorted(o for p in params(command, "option") for o in (*p.opts, *p.secondary_opts))
    raise AssertionError(f"{said!r}: `{command.name}` has no option {name} (it has {', '.join(known) or 'none'})")


def test_every_cockpit_command_in_the_deployment_guide_exists_with_its_options():
    paths = {check_command(args) for args in command_lines()}
    paths |= {check_command(args, complete=False) for args in commands_named()}
    # the parser found the commands the guide is built on: it cannot pass by finding none
    assert {("serve",), ("refresh",), ("check",), ("ingest",), ("state", "upgrade"), ("state", "prune"),
            ("users", "add"), ("users", "enable"), ("users", "disable"), ("audit", "verify"),
            ("audit", "export")} <= paths, paths


@pytest.mark.parametrize("line, problem", [
    ("cockpit serve --hots 0.0.0.0", "has no option --hots"),
    ("ExecStart=/opt/cockpit/current/.venv/bin/cockpit state purge", "no command `cockpit state purge`"),
    ("30 2 * * * root /usr/local/bin/cockpit users", "needs one of"),
    ("sudo cockpit audit export", "needs 1 argument"),
    ("cockpit refresh --only", "needs a value"),
])
def test_the_check_catches_what_is_wrong(line, problem):
    [args] = commands_in(line)
    with pytest.raises(AssertionError, match=re.escape(problem)):
        check_command(args)


def test_commands_are_found_where_a_shell_or_systemd_would_run_them():
    assert commands_in("install -d -o cockpit -g cockpit -m 0750 /var/lib/cockpit") == []
    assert commands_in("runuser -u postgres -- createdb --owner=cockpit cockpit") == []
    assert commands_in("cockpit audit verify | tee -a heads.txt   # keep it") == [["audit", "verify"]]
    assert commands_in("systemctl stop cockpit && cockpit state upgrade") == [["state", "upgrade"]]
    assert commands_in("ExecStart=/opt/x/.venv/bin/cockpit serve --port 1") == [["serve", "--port", "1"]]


def nginx_site() -> str:
    [site] = fenced_blocks("nginx")
    return site


def test_the_nginx_static_locations_are_the_apps_static_prefixes():
    from cockpit.ui.access import STATIC_PREFIXES

    site = nginx_site()
    static = set(re.findall(r"^\s*location\s+\^~\s+(\S+)\s*\{", site, re.M))
    assert static == {"/" + prefix for prefix in STATIC_PREFIXES}
    others = re.findall(r"^\s*location\s+(/\S*)\s*\{", site, re.M)
    assert "/" in others and not any(o.lstrip("/").startswith(STATIC_PREFIXES) for o in others)
    assert "proxy_cache " not in site  # every other answer is no-store: nginx keeps no copy


def test_nginx_proxies_to_the_port_the_service_serves_and_holds_the_apps_body_limit():
    from cockpit.web import MAX_BODY_BYTES

    site = nginx_site()
    [(host, port)] = re.findall(r"^\s*server\s+([\d.]+):(\d+);", site, re.M)
    serves = [args for args in command_lines() if args[:1] == ["serve"]]
    assert serves and all(args[args.index("--port") + 1] == port and args[args.index("--host") + 1] == host
                          for args in serves)
    number, unit = re.search(r"client_max_body_size\s+(\d+)([kKmM]?);", site).groups()
    assert int(number) * {"": 1, "k": 1024, "m": 1024 * 1024}[unit.lower()] == MAX_BODY_BYTES


def test_every_environment_variable_it_names_is_read_by_the_code():
    source = "\n".join(path.read_text(encoding="utf-8")
                       for path in [*Path(REPO_ROOT, "cockpit").rglob("*.py"), REPO_ROOT / "app.py"])
    named = set(re.findall(r"\bCOCKPIT_[A-Z_]+\b", doc_text()))
    assert {"COCKPIT_STATE_URL", "COCKPIT_SECRET_KEY_FILE", "COCKPIT_BEHIND_PROXY", "COCKPIT_PRODUCTION"} <= named
    assert not {name for name in named if f'"{name}"' not in source}, "named in docs/DEPLOY.md, read nowhere"


def test_the_readme_links_the_guide():
    assert "(docs/DEPLOY.md)" in (REPO_ROOT / "README.md").read_text(encoding="utf-8")
