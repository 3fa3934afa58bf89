"""Sign-in, and the gate in front of every route of the app.

Nothing but the sign-in page, the probes and the app's code and styles (JS, CSS, fonts: no data)
answers a request without a session. A page asked for without one redirects to `/login?next=…`;
everything else (`/_dash-update-component`, `/_dash-layout`, record exports, any route added
later) answers 401 with no data. The gate is deny-by-default: a new route is covered without
anyone remembering to cover it.

A session is a random token in an HttpOnly cookie; the state store keeps only its hash and ends it
after idle time and absolutely (`cockpit.state.accounts`). The signed-in user is put on `flask.g`
for the request, and `cockpit.ui.request.viewer` makes the request's `Viewer` from it through
`accounts.viewer_for`, the one place a viewer comes from: an external identity provider would hand
over the same user record, and nothing downstream would change.

State-changing requests (every POST, Dash's callback posts included) carry a CSRF token: the HMAC of
the session token under the app's secret key, handed to the browser in the `_csrf_token` cookie,
which Dash's renderer sends back as the `X-CSRFToken` header on its own; a request whose `Origin`
is another site's is refused as well. The sign-in form itself is exempt from the token (scripts and
monitoring post `username` and `password` to it) but not from the origin check.

Every response carries the security headers (a Content-Security-Policy allowing only the app's own
origin, with the hashes of Dash's few inline scripts; no framing; no sniffing; same-origin referrers),
and every response but the static code and styles `Cache-Control: no-store`.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import os
import secrets
from pathlib import Path
from urllib.parse import quote, urlparse

from flask import Response, g, redirect, request

from cockpit.config import REPO_ROOT
from cockpit.ui.i18n import current_lang, t

SESSION_COOKIE = "cockpit_session"
CSRF_COOKIE = "_csrf_token"  # the cookie Dash's renderer reads and sends back as X-CSRFToken
CSRF_HEADER = "X-CSRFToken"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Paths (below the app's prefix) that answer without a session: code and styles, never data.
PUBLIC_PATHS = frozenset({"login", "logout", "healthz", "readyz", "_favicon.ico"})
STATIC_PREFIXES = ("assets/", "_dash-component-suites/", "_deckgl/")
# Paths that are pages (a person opening them is sent to sign in); the rest answer 401.
NOT_PAGES = ("_dash-", "records/export", "assets/", "_deckgl/", "admin/audit/export")

# What each role may open beyond the data its viewer scopes (the reader enforces the scope itself).
# admin keeps users and the audit trail and reads no one's records: separation of duties.
ROLE_PATHS = {
    "admin": ("admin/", "logout"),
}
ROLE_REFUSED = {
    "staff": ("screen", "admin"),  # the big screens are the leaders'; staff work in the department pages
    "leader": ("admin",),
    "analyst": ("admin",),
}


class NotSignedIn(Exception):
    """A request reached data without a signed-in user (the gate should have answered first)."""


def production() -> bool:
    return os.environ.get("COCKPIT_PRODUCTION", "").strip() in ("1", "true", "yes")


def secret_key() -> bytes:
    """COCKPIT_SECRET_KEY, or the file COCKPIT_SECRET_KEY_FILE names. Outside production, a key
    kept in `<data dir>/secret_key` (made once, readable by its owner only) so that every worker of
    one installation signs alike; in production the start is refused without one."""
    value = os.environ.get("COCKPIT_SECRET_KEY")
    if value:
        return value.encode()
    named = os.environ.get("COCKPIT_SECRET_KEY_FILE")
    if named:
        try:
            text = Path(named).read_text().strip()
        except OSError as error:
            raise SystemExit(f"COCKPIT_SECRET_KEY_FILE: cannot read {named}: {error.strerror}") from None
        if len(text) < 32:
            raise SystemExit(f"COCKPIT_SECRET_KEY_FILE: {named} holds fewer than 32 characters")
        return text.encode()
    if production():
        raise SystemExit("production mode needs a secret key: set COCKPIT_SECRET_KEY or COCKPIT_SECRET_KEY_FILE")
    path = Path(os.environ.get("COCKPIT_DATA_DIR") or REPO_ROOT / "data") / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = path.with_name(f".secret_key.{os.getpid()}")
        fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(fresh, path)  # the first worker's key wins; the others read it
        except FileExistsError:
            pass
        finally:
            fresh.unlink()
    return path.read_text().strip().encode()


def csrf_token(secret: bytes, session_token: str) -> str:
    """The CSRF token of a session: only the server can make it, and it dies with the session."""
    return hmac.new(secret, b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()


def safe_next(value: str | None, prefix: str = "/") -> str:
    """Where to go after signing in: a path of this app, never another site (`//evil`, `https:`)."""
    if not value or not value.startswith(prefix) or value.startswith("//") or "\\" in value:
        return prefix
    parsed = urlparse(value)
    return value if not parsed.scheme and not parsed.netloc else prefix


def client_address() -> str:
    return request.remote_addr or "unknown"


def current_user():
    """The signed-in user of the request (set by the gate), or None (also outside any request)."""
    from flask import has_app_context

    return g.get("cockpit_user") if has_app_context() else None


def act_as(user) -> None:
    """See the current request as `user`, for code that builds views in a request context of its
    own, in-process (benchmarks timing a page's build, tests): what the gate does after sign-in."""
    g.cockpit_user = user


def act_as_province_leader() -> None:
    """`act_as` a leader of the published snapshot's whole hierarchy, without personal data: the
    viewer code outside any request reads as (`cockpit.ui.request.viewer`)."""
    from cockpit.query.reader import Reader
    from cockpit.query.viewer import default_viewer
    from cockpit.state.accounts import User

    act_as(User(id=0, name="in-process", role="leader", region=Reader.current(default_viewer()).root, department=None,
                personal_data=False, disabled=False))


def who() -> tuple[str, str, str]:
    """(user name, address, state store) of the request, for the audit trail (captured before a
    streamed body outlives its request)."""
    from cockpit.config import state_url

    user = current_user()
    return (user.name if user is not None else "anonymous"), client_address(), state_url()


def audit_access(action: str, target: str | None, details: dict, actor: tuple[str, str, str] | None = None) -> None:
    """Append to the audit trail what the request's user saw or took: `records_view` (a records
    grid's first block, with its query and the rows matching), `records_export` (with the rows sent).
    `actor`: `who()` taken while the request was served, for a streamed body that ends after it."""
    from cockpit.state import audit

    name, address, url = actor or who()
    audit.record(name, action, target, details, address, url=url)


def query_details(query) -> dict:
    """A records query as the audit trail keeps it: only what was asked."""
    fields = ("indicator", "feed", "region", "frequency", "period", "key")
    details = {name: getattr(query, name) for name in fields if getattr(query, name, None) not in (None, "value")}
    if getattr(query, "filters", None):
        details["filters"] = dict(query.filters)
    if getattr(query, "sort", None):
        details["sort"] = [list(s) for s in query.sort]
    return details


def _relative(path: str, prefix: str) -> str:
    return path[len(prefix):] if path.startswith(prefix) else path.lstrip("/")


def _same_origin() -> bool:
    """Whether the request may come from this app's own pages. Browsers name the page's origin on
    every cross-site POST; a request without the header is a script's (curl, monitoring), which holds
    no victim's cookies to abuse."""
    origin = request.headers.get("Origin")
    return origin is None or origin.rstrip("/") == request.host_url.rstrip("/")


def _cookie_secure() -> bool:
    return request.is_secure or production()


def set_session_cookies(response: Response, token: str, secret: bytes, prefix: str) -> None:
    secure = _cookie_secure()
    response.set_cookie(SESSION_COOKIE, token, httponly=True, secure=secure, samesite="Lax", path=prefix)
    response.set_cookie(CSRF_COOKIE, csrf_token(secret, token), httponly=False, secure=secure,
                        samesite="Strict", path=prefix)


def clear_session_cookies(response: Response, prefix: str) -> None:
    response.delete_cookie(SESSION_COOKIE, path=prefix)
    response.delete_cookie(CSRF_COOKIE, path=prefix)


def role_may_open(role: str, relative: str) -> bool:
    allowed = ROLE_PATHS.get(role)
    if allowed is not None and not relative.startswith(allowed):
        return False
    return not any(relative == p or relative.startswith(p + "/") for p in ROLE_REFUSED.get(role, ()))


def _plain(text: str, status: int) -> Response:
    return Response(text + "\n", status=status, mimetype="text/plain")


def content_security_policy(script_hashes: list[str]) -> str:
    return "; ".join([
        "default-src 'self'",
        "script-src 'self' " + " ".join(script_hashes),
        "style-src 'self' 'unsafe-inline'",  # Plotly and Dash components set styles inline
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def install(app) -> None:
    """Put the gate, the sign-in and sign-out routes and the headers on the app's server. Called
    before any other request hook is installed, so an anonymous request meets the gate first."""
    from cockpit.query.departments import load_department_themes
    from cockpit.state import accounts
    from cockpit.state.store import StateError

    server = app.server
    prefix = app.config.routes_pathname_prefix
    secret = secret_key()
    # a staff user's viewer sees the themes data/departments.yaml gives their department
    # (`accounts.viewer_for`): a wrong file stops the start with every problem and its line
    load_department_themes()
    policy_cache: dict[int, str] = {}

    def policy() -> str:
        hashes = app.csp_hashes()
        key = len(hashes)
        if key not in policy_cache:
            policy_cache[key] = content_security_policy(list(hashes))
        return policy_cache[key]

    def _gate():
        relative = _relative(request.path, prefix)
        if relative in PUBLIC_PATHS or relative.startswith(STATIC_PREFIXES):
            return None
        token = request.cookies.get(SESSION_COOKIE)
        try:
            user = accounts.session_user(token) if token else None
        except StateError as error:
            return state_unavailable(error)
        if user is None:
            if request.method in ("GET", "HEAD") and not relative.startswith(NOT_PAGES):
                # no body: the address asked for is not echoed back in a page
                return Response(status=302, headers={
                    "Location": f"{prefix}login?next={quote(request.full_path.rstrip('?'), safe='/?=&')}"})
            return _plain("sign in first: this address answers signed-in users only", 401)
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER) or request.form.get("csrf_token", "")
            if not _same_origin():
                return _plain("refused: the request comes from another site", 403)
            if not hmac.compare_digest(sent, csrf_token(secret, token)):
                return _plain("refused: the request's CSRF token is missing or wrong; reload the page", 403)
        if not role_may_open(user.role, relative):
            return _plain(t("access.role_refused", current_lang()), 403)
        g.cockpit_user = user
        g.cockpit_session = token
        return None

    # first of all the request hooks, Dash's own included (its first-request set-up draws the layout)
    server.before_request_funcs.setdefault(None, []).insert(0, _gate)
    # The state store failing where no one catches it (a callback that audits a records view, the
    # audit page): the same short 503 as the gate's, not a bare 500. SQLAlchemy's OperationalError
    # is the driver's own word for a database gone or locked, when it escapes store.read/write.
    from sqlalchemy.exc import OperationalError

    server.register_error_handler(StateError, state_unavailable)
    server.register_error_handler(OperationalError, state_unavailable)

    @server.after_request
    def _headers(response: Response) -> Response:
        relative = _relative(request.path, prefix)
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy())
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        if not relative.startswith(STATIC_PREFIXES):
            headers["Cache-Control"] = "no-store"
        token = g.get("cockpit_session")
        if token and request.cookies.get(CSRF_COOKIE) != csrf_token(secret, token):
            response.set_cookie(CSRF_COOKIE, csrf_token(secret, token), httponly=False, secure=_cookie_secure(),
                                samesite="Strict", path=prefix)
        return response

    @server.route(prefix + "login", methods=["GET", "POST"], endpoint="cockpit_login")
    def _login():
        lang = current_lang()
        target = safe_next(request.values.get("next"), prefix)
        if request.method == "GET":
            return login_page(lang, target, prefix)
        if not _same_origin():
            return _plain("refused: the request comes from another site", 403)
        name = (request.form.get("username") or "").strip()
        password = request.form.get("password") or ""
        try:
            user = accounts.authenticate(name, password, client_address())
            token = accounts.start_session(user, client_address())
        except accounts.Refused as refusal:
            return login_page(lang, target, prefix, error=refusal.message(lang), name=name, status=401)
        except StateError as error:
            return state_unavailable(error)
        response = redirect(f"{prefix}admin/audit" if user.role == "admin" and not role_may_open(
            "admin", _relative(target.split("?")[0], prefix)) else target, code=303)
        set_session_cookies(response, token, secret, prefix)
        return response

    @server.route(prefix + "logout", methods=["GET", "POST"], endpoint="cockpit_logout")
    def _logout():
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            try:
                accounts.end_session(token, address=client_address())
            except StateError as error:
                return state_unavailable(error)
        response = redirect(f"{prefix}login", code=303)
        clear_session_cookies(response, prefix)
        return response


def state_unavailable(error: Exception) -> Response:
    """The state store locked or gone: a page that says so, in the request's language, with
    neither a stack trace nor a path (those go to the server's log)."""
    # `?lang=` as well as the cookie: the gate answers before the hook that reads the query runs
    lang = current_lang(request.args.get("lang"))
    body = (f"<!doctype html><html lang='{'zh-CN' if lang == 'zh' else 'en'}'><meta charset='utf-8'>"
            f"<title>{html.escape(t('access.unavailable.title', lang))}</title>"
            f"<body><h1>{html.escape(t('access.unavailable.title', lang))}</h1>"
            f"<p>{html.escape(t('access.unavailable.body', lang))}</p></body></html>")
    response = Response(body, status=503, mimetype="text/html")
    response.headers["Retry-After"] = "30"
    server_log(f"state store unavailable: {error}")
    return response


def server_log(message: str) -> None:
    import logging

    logging.getLogger("cockpit.access").warning(message)


def plain_page_head(lang: str, title: str, prefix: str) -> str:
    """The start of a server-rendered page (sign-in, audit) up to <body>: the language, the title
    and the app's own vendored styles."""
    e = html.escape
    return f"""<!doctype html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} · {e(t('app.title', lang))}</title>
<link rel="stylesheet" href="{prefix}assets/_vendor/bootstrap/bootstrap.min.css">
<link rel="stylesheet" href="{prefix}assets/theme/colours.css">
<link rel="stylesheet" href="{prefix}assets/theme/cockpit.css">
</head>"""


def login_page(lang: str, target: str, prefix: str, error: str | None = None, name: str = "",
               status: int = 200) -> Response:
    """The sign-in form: a plain HTML form (no script needed), in the app's own styles."""
    other = "en" if lang == "zh" else "zh"
    e = html.escape
    alert = f"<div class='alert alert-danger py-2' role='alert' id='login-error'>{e(error)}</div>" if error else ""
    body = f"""{plain_page_head(lang, t('access.login.title', lang), prefix)}
<body class="login-body">
<main class="login-card card shadow-sm">
  <div class="card-body p-4">
    <div class="d-flex justify-content-between align-items-start mb-3">
      <h1 class="h4 mb-0">{e(t('app.title', lang))}</h1>
      <a class="btn btn-sm btn-outline-secondary" id="login-lang"
         href="{prefix}login?lang={other}&amp;next={e(quote(target, safe='/'))}">{e(t('lang.switch', lang))}</a>
    </div>
    <p class="text-muted small">{e(t('access.login.lead', lang))}</p>
    {alert}
    <form method="post" action="{prefix}login" autocomplete="on">
      <input type="hidden" name="next" value="{e(target)}">
      <div class="mb-3"><label class="form-label" for="username">{e(t('access.login.username', lang))}</label>
        <input class="form-control" id="username" name="username" value="{e(name)}" required
               autocomplete="username" autofocus></div>
      <div class="mb-3"><label class="form-label" for="password">{e(t('access.login.password', lang))}</label>
        <input class="form-control" id="password" name="password" type="password" required
               autocomplete="current-password"></div>
      <button class="btn btn-primary w-100" type="submit" id="login-submit">{e(t('access.login.submit', lang))}</button>
    </form>
    <p class="text-muted small mt-3 mb-0">{e(t('access.login.help', lang))}</p>
  </div>
</main>
</body></html>"""
    return Response(body, status=status, mimetype="text/html")
