"""Sign-in and scoped access, probed as an outsider and as a county clerk would (issue #13).

The probes enumerate the app's own routes (Flask's URL map), pages (Dash's page registry) and
callbacks (the callback map), so a route or callback added later is probed without anyone adding
it here. In-process, through the app's own endpoints; the browser test signs in through the form.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import dash
import pytest

from cockpit import web
from cockpit.ui import access
from tests.conftest import TEST_PASSWORD
from tests.test_server_hardening import UPDATE, body_for

# What answers without a session: the sign-in page, the probes, and code and styles.
PUBLIC = {"/login", "/logout", "/healthz", "/readyz", "/_favicon.ico"}
# Text any data of the demo would hold: region names of every level the pages show.
DATA_MARKERS = ("杭州市", "越城区", "浙江省", "330602", "330100", "工单")


@pytest.fixture()
def app(use_demo_lake, sign_in):
    app = web.create_app()
    sign_in(app).get("/")  # the first signed-in request registers the pages router and callbacks
    return app


@pytest.fixture()
def anonymous(app):
    return app.server.test_client()


def _sample_urls(app) -> list[str]:
    """One address for every rule of the server's URL map, its variables filled with a sample."""
    urls = []
    for rule in app.server.url_map.iter_rules():
        url = re.sub(r"<(?:path:)?(\w+)>", lambda m: "governance" if m.group(1) == "path" else "x", rule.rule)
        urls.append(url)
    pages = [p["path_template"] or p["path"] for p in dash.page_registry.values()]
    urls += [re.sub(r"<\w+>", "hotline_closure_rate", p) for p in pages]
    urls += ["/records?indicator=hotline_orders&region=330602", "/records/export?indicator=hotline_orders&format=csv",
             "/records/export?feed=hotline_orders&format=xlsx"]
    return sorted(set(urls))


def _static(url: str) -> bool:
    return url.startswith(("/assets/", "/_dash-component-suites/", "/_deckgl/"))


def test_anonymous_requests_to_every_route_and_page_get_sign_in_or_401_and_no_data(app, anonymous):
    urls = _sample_urls(app)
    probed = [u for u in urls if u.split("?")[0] not in PUBLIC and not _static(u)]
    assert {"/", "/governance", "/_dash-layout", "/_dash-dependencies", "/records/export"} <= {
        u.split("?")[0] for u in probed}
    for url in probed:
        for method in ("GET", "POST"):
            r = anonymous.open(url, method=method)
            body = r.get_data(as_text=True)
            if r.status_code in (302, 303):
                assert r.headers["Location"].startswith("/login?next="), (url, r.headers["Location"])
            else:
                assert r.status_code in (401, 405), (method, url, r.status_code, body[:200])
            assert not any(marker in body for marker in DATA_MARKERS), (method, url, body[:300])


def test_anonymous_posts_to_every_callback_get_401(app, anonymous):
    assert {"screen-content.children", ".._pages_content.children..._pages_store.data.."} <= set(_server_callbacks(app))
    for output in app.callback_map:
        if app.callback_map[output].get("callback") is None:
            continue  # runs in the browser
        r = anonymous.post(UPDATE, json=body_for(app, output))
        assert r.status_code == 401, (output, r.status_code)
        assert not any(marker in r.get_data(as_text=True) for marker in DATA_MARKERS)


def test_static_routes_serve_code_and_styles_not_data():
    """What answers without a session holds no data: the assets folder is scripts, styles, fonts,
    images and their licences, and map geometry reaches the browser only inside callbacks."""
    from cockpit.config import REPO_ROOT

    kinds = {p.suffix for p in (REPO_ROOT / "assets").rglob("*") if p.is_file()}
    assert kinds <= {".js", ".css", ".woff", ".woff2", ".ttf", ".svg", ".png", ".ico", ".md", ".txt", ""}, kinds


def test_the_public_routes_say_nothing_of_the_data(app, anonymous):
    for url in ("/login", "/login?lang=en", "/healthz", "/readyz"):
        r = anonymous.get(url)
        assert r.status_code == 200, url
        assert not any(marker in r.get_data(as_text=True) for marker in DATA_MARKERS), url


def test_a_signed_out_session_can_neither_call_back_nor_export(app, sign_in):
    client = sign_in(app)
    export = "/records/export?feed=hotline_orders&region=330602&format=csv"
    assert client.get(export).get_data() and client.get(export).status_code == 200
    token = client.get_cookie(access.SESSION_COOKIE).value
    assert client.get("/logout").status_code == 303
    for c in (client, _with_cookie(app, token)):  # the browser's copy, and one kept by someone else
        assert c.get(export).status_code == 401
        assert c.post(UPDATE, json=body_for(app, next(iter(_server_callbacks(app))))).status_code in (401, 403)
        assert c.get("/governance").status_code == 302


@pytest.mark.parametrize("column, ago", [("last_seen", timedelta(minutes=31)), ("created_at", timedelta(hours=13))],
                         ids=["idle", "absolute"])
def test_an_expired_session_is_refused(app, sign_in, column, ago):
    from sqlalchemy import update

    from cockpit.state import store
    from cockpit.state.audit import utc
    from cockpit.state.schema import sessions

    client = sign_in(app)
    assert client.get("/records/export?feed=hotline_orders&region=330602&format=csv").get_data()
    store.write(lambda connection: connection.execute(update(sessions).values({column: utc() - ago})))
    assert client.get("/records/export?feed=hotline_orders&region=330602&format=csv").status_code == 401
    assert client.get("/economy").status_code == 302


def _with_cookie(app, token: str):
    other = app.server.test_client()
    other.set_cookie(access.SESSION_COOKIE, token)
    return other


def _server_callbacks(app) -> list[str]:
    return [o for o, cb in app.callback_map.items() if cb.get("callback") is not None]


def _grid_answer(app, client, query: str) -> str:
    grid = next(o for o in app.callback_map if "records-grid.getRowsResponse" in o)
    states = len(app.callback_map[grid]["state"])
    r = client.post(UPDATE, json=body_for(app, grid, [{"startRow": 0, "endRow": 100}], [query] * states))
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    return json.dumps(r.get_json(), ensure_ascii=False)


def _router(app, client, path: str, search: str = "") -> str:
    router = ".._pages_content.children..._pages_store.data.."
    r = client.post(UPDATE, json=body_for(app, router, [path, search]))
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    return json.dumps(r.get_json(), ensure_ascii=False)


def _clerk(app, sign_in):
    return sign_in(app, "yuecheng-clerk", role="staff", region="330602", department="越城区综合行政执法局")


def test_a_county_clerk_gets_nothing_of_another_county_or_the_province(app, sign_in):
    from cockpit.query.snapshot import current_snapshot

    clerk = _clerk(app, sign_in)
    period = current_snapshot().periods("hotline_orders", "year")[0]  # a year: the clerk's department has orders
    own = _grid_answer(app, clerk, f"indicator=hotline_orders&region=330602&frequency=year&period={period}")
    assert '"330602' in own
    for code in ("330102", "330600", "330000"):  # another county, the city above, the province
        other = _grid_answer(app, clerk, f"indicator=hotline_orders&region={code}&frequency=year&period={period}")
        assert '"rowCount": 0' in other.replace('"rowCount":0', '"rowCount": 0'), code
        assert f'"{code}' not in other or code == "330000"
        r = clerk.get(f"/records/export?feed=hotline_orders&region={code}&format=csv")
        assert r.status_code == 403 and r.get_data(), code
        assert "工单" not in r.get_data(as_text=True)
    # a page asked for another county draws the clerk's own county, never the other's numbers
    page = _router(app, clerk, "/governance", "?region=330102")
    assert "上城区" not in page and "越城区" in page


def test_a_clerk_sees_only_their_departments_records_unmasked_never(app, sign_in):
    clerk = _clerk(app, sign_in)
    r = clerk.get("/records/export?feed=hotline_orders&region=330602&format=csv")
    assert r.status_code == 200
    lines = r.get_data(as_text=True).lstrip("\ufeff").splitlines()
    header_at = next(i for i, line in enumerate(lines) if "工单编号" in line or "部门" in line)
    header = lines[header_at].split(",")
    department = next(i for i, name in enumerate(header) if "部门" in name)
    rows = [line.split(",") for line in lines[header_at + 1:] if line.strip()]
    assert rows and {row[department] for row in rows} == {"越城区综合行政执法局"}


def test_two_viewers_never_see_each_others_cached_results(app, sign_in):
    leader, clerk = sign_in(app), _clerk(app, sign_in)
    for _ in range(2):  # the second round is served from whatever each kept
        province = _router(app, leader, "/governance")
        county = _router(app, clerk, "/governance")
        assert "杭州市" in province and "杭州市" not in county
        assert "越城区" in county


def test_state_changing_requests_need_the_csrf_token_and_the_own_origin(app, sign_in):
    client = sign_in(app)
    body = body_for(app, ".._pages_content.children..._pages_store.data..", ["/", ""])
    good = client.get_cookie(access.CSRF_COOKIE).value
    assert client.post(UPDATE, json=body).status_code == 200
    assert client.post(UPDATE, json=body, headers={"X-CSRFToken": ""}).status_code == 403
    assert client.post(UPDATE, json=body, headers={"X-CSRFToken": "0" * 64}).status_code == 403
    assert client.post(UPDATE, json=body, headers={"X-CSRFToken": good, "Origin": "http://evil.example"}
                       ).status_code == 403
    assert client.post(UPDATE, json=body, headers={"X-CSRFToken": good, "Origin": "http://localhost"}
                       ).status_code == 200
    # the sign-in form: no token needed (scripts post to it), but not from another site
    other = app.server.test_client()
    r = other.post("/login", data={"username": "leader", "password": TEST_PASSWORD},
                   headers={"Origin": "http://evil.example"})
    assert r.status_code == 403


def test_every_response_carries_the_security_headers_and_cookies_are_guarded(app, anonymous, sign_in):
    client = sign_in(app)
    for r in (anonymous.get("/login"), client.get("/governance"), anonymous.get("/_dash-layout"),
              client.post(UPDATE, json=body_for(app, ".._pages_content.children..._pages_store.data..", ["/", ""]))):
        csp = r.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-eval" not in csp
        assert "script-src 'self' 'sha256-" in csp  # Dash's inline scripts by their hashes, no 'unsafe-inline'
        assert r.headers["X-Frame-Options"] == "DENY" and r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Referrer-Policy"] == "same-origin" and r.headers["Cache-Control"] == "no-store"
    answer = app.server.test_client().post("/login", data={"username": "leader", "password": TEST_PASSWORD})
    cookies = answer.headers.getlist("Set-Cookie")
    session = next(c for c in cookies if c.startswith(access.SESSION_COOKIE + "="))
    assert "HttpOnly" in session and "SameSite=Lax" in session
    csrf = next(c for c in cookies if c.startswith(access.CSRF_COOKIE + "="))
    assert "SameSite=Strict" in csrf


def test_sign_in_refuses_wrong_passwords_alike_and_audits_both(app, sign_in):
    from cockpit.state import audit

    sign_in(app)  # makes the account
    client = app.server.test_client()
    wrong = client.post("/login", data={"username": "leader", "password": "nope"})
    unknown = client.post("/login", data={"username": "nobody", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    message = re.search(r"id='login-error'>([^<]+)<", wrong.get_data(as_text=True)).group(1)
    assert message in unknown.get_data(as_text=True)
    good = client.post("/login", data={"username": "leader", "password": TEST_PASSWORD, "next": "/economy?period=2026-10"})
    assert good.status_code == 303 and good.headers["Location"] == "/economy?period=2026-10"
    actions = [e["action"] for e in audit.entries()]
    assert actions.count("sign_in_failed") >= 2 and "sign_in" in actions


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"])
def test_sign_in_never_sends_anyone_to_another_site(app, sign_in, target):
    sign_in(app)
    r = app.server.test_client().post("/login", data={"username": "leader", "password": TEST_PASSWORD,
                                                      "next": target})
    assert r.status_code == 303 and r.headers["Location"] == "/"


def test_roles_open_only_their_pages(app, sign_in):
    clerk = _clerk(app, sign_in)
    assert clerk.get("/screen").status_code == 403  # the big screens are the leaders'
    assert clerk.get("/governance").status_code == 200
    admin = sign_in(app, "admin", role="admin")
    for path in ("/", "/governance", "/records/export?feed=hotline_orders&format=csv"):
        assert admin.get(path).status_code == 403, path  # administrators keep accounts, not records


def test_record_views_and_exports_are_audited_with_their_query_and_rows(app, sign_in):
    from cockpit.query.snapshot import current_snapshot
    from cockpit.state import audit

    clerk = _clerk(app, sign_in)
    period = current_snapshot().periods("hotline_orders", "year")[0]
    answer = json.loads(_grid_answer(app, clerk, f"indicator=hotline_orders&region=330602&frequency=year&period={period}"))
    shown = answer["response"]["records-grid"]["getRowsResponse"]["rowCount"]
    r = clerk.get("/records/export?feed=hotline_orders&region=330602&format=csv")
    body = r.get_data()  # the whole stream: the entry is written when it ends
    entries = {e["action"]: e for e in audit.entries(actor="yuecheng-clerk")}
    viewed = entries["records_view"]["details"]
    assert viewed["region"] == "330602" and viewed["period"] == period and viewed["rows"] == shown
    exported = entries["records_export"]["details"]
    assert exported["complete"] and exported["format"] == "csv" and exported["rows"] > 0
    assert body.count(b"\n") >= exported["rows"]
    assert audit.verify().ok


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_person_signs_in_through_the_form_lands_where_they_were_going_and_signs_out(visit, live, lang):
    from tests.conftest import save_screenshot

    v = visit(1366, 768, user=None)
    page = v.goto(f"/governance?region=330600&lang={lang}")
    assert "/login?next=" in page.url
    page.wait_for_selector("#login-submit")
    assert page.inner_text("h1") == ("城市数字驾驶舱" if lang == "zh" else "City Digital Cockpit")
    page.fill("#username", "leader")
    page.fill("#password", "wrong password")
    page.click("#login-submit")
    error = page.wait_for_selector("#login-error").inner_text()
    assert ("用户名或密码错误" if lang == "zh" else "Wrong user name or password") in error
    save_screenshot(page, f"login-refused-{lang}")
    page.fill("#password", live.account("leader").password)
    page.click("#login-submit")
    page.wait_for_selector("#gov-page", timeout=60_000)
    assert page.url.endswith("/governance?region=330600&lang=" + lang) or "/governance" in page.url
    assert "绍兴市" in page.inner_text("#gov-page") or "Shaoxing" in page.inner_text("#gov-page")
    assert "leader" in page.get_attribute("#shell-user", "title")  # the name shows from 1440 px up
    save_screenshot(page, f"signed-in-governance-{lang}")
    page.click("#shell-sign-out")
    page.wait_for_selector("#login-submit")
    page.goto(live.url + "/governance")
    assert "/login?next=" in page.url  # the session is over
    assert v.external_requests == [] and [e for e in v.console_errors if "401" not in e] == []


def test_production_mode_refuses_to_start_without_a_secret_key_or_with_debug(monkeypatch, tmp_path):
    import subprocess
    import sys

    from cockpit.config import REPO_ROOT

    monkeypatch.delenv("COCKPIT_SECRET_KEY", raising=False)
    monkeypatch.setenv("COCKPIT_PRODUCTION", "1")
    with pytest.raises(SystemExit, match="production mode needs a secret key"):
        access.secret_key()
    short = tmp_path / "key"
    short.write_text("too short")
    monkeypatch.setenv("COCKPIT_SECRET_KEY_FILE", str(short))
    with pytest.raises(SystemExit, match="fewer than 32 characters"):
        access.secret_key()
    done = subprocess.run([sys.executable, "app.py", "--debug"], cwd=REPO_ROOT, capture_output=True, text=True,
                          env={**__import__("os").environ, "COCKPIT_SECRET_KEY": "k" * 40}, timeout=120)
    assert done.returncode != 0 and "--debug is refused" in done.stderr


def test_outside_production_one_key_is_made_and_kept_private(monkeypatch, tmp_path):
    monkeypatch.delenv("COCKPIT_SECRET_KEY", raising=False)
    monkeypatch.delenv("COCKPIT_PRODUCTION", raising=False)
    monkeypatch.setenv("COCKPIT_DATA_DIR", str(tmp_path))
    first = access.secret_key()
    assert access.secret_key() == first and len(first) >= 48
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_the_admin_reads_filters_and_exports_the_audit_trail_and_no_one_else_may(app, sign_in):
    leader = sign_in(app)
    assert leader.get("/admin/audit").status_code == 403
    assert leader.get("/admin/audit/export").status_code == 403
    admin = sign_in(app, "admin", role="admin")
    page = admin.get("/admin/audit?action=sign_in*")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "哈希链完整" in text and ">leader<" in text and ">sign_in<" in text
    assert "records_view" not in text  # filtered
    assert "Audit trail" in admin.get("/admin/audit?lang=en").get_data(as_text=True)
    assert admin.get("/admin/audit?since=yesterday").status_code == 200  # said on the page, not a 500
    csv = admin.get("/admin/audit/export?actor=leader")
    assert csv.status_code == 200 and csv.data.startswith(b"\xef\xbb\xbf") and b"sign_in" in csv.data
    assert csv.headers["Content-Disposition"].startswith("attachment")
    from cockpit.state import audit

    assert {"audit_view", "audit_export"} <= {e["action"] for e in audit.entries(actor="admin")}
    login = app.server.test_client().post("/login", data={"username": "admin", "password": TEST_PASSWORD})
    assert login.headers["Location"] == "/admin/audit"  # where an administrator's work is
