"""Requests a hostile or broken client may send: none of them takes a page down (no 500), none
leaks a stack trace, and the limits on what a client may ask hold on the server."""

from __future__ import annotations

import http.client
import json

import pytest

from cockpit import web

ROUTER = ".._pages_content.children..._pages_store.data.."
UPDATE = "/_dash-update-component"


@pytest.fixture()
def app(use_demo_lake, sign_in):
    app = web.create_app()
    sign_in(app).get("/")  # the first request registers the pages router
    return app


@pytest.fixture()
def client(app, sign_in):
    return sign_in(app)


def _ids(spec: str) -> list[dict]:
    """`a.children` or `..a.children...b.data..` (a multi-output key) as Dash's renderer sends outputs."""
    parts = spec.split("@")[0].strip(".").split("...")
    return [{"id": _id(p.rsplit(".", 1)[0]), "property": p.rsplit(".", 1)[1]} for p in parts]


def _id(text: str) -> str | dict:
    """A component id as the renderer sends it: a pattern-matching id (kept as JSON text in the
    callback map) as the object it is."""
    return json.loads(text) if text.startswith("{") else text


def body_for(app, output: str, values: list | None = None, states: list | None = None, changed: int = 0) -> dict:
    """The body Dash's renderer posts to run the callback registered for `output`, its input
    number `changed` having changed."""
    cb = app.callback_map[output]
    values = values if values is not None else [None] * len(cb["inputs"])
    states = states if states is not None else [None] * len(cb["state"])
    outputs = _ids(output)
    return {
        "output": output,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": [{**i, "id": _id(i["id"]), "value": v} for i, v in zip(cb["inputs"], values, strict=True)],
        "state": [{**s, "id": _id(s["id"]), "value": v} for s, v in zip(cb["state"], states, strict=True)],
        "changedPropIds": [f"{cb['inputs'][changed]['id']}.{cb['inputs'][changed]['property']}"],
    }


def render(app, client, path: str, search: str = ""):
    """A page's layout as the pages router returns it to the browser: (status, JSON text)."""
    r = client.post(UPDATE, json=body_for(app, ROUTER, [path, search]))
    return r.status_code, json.dumps(r.get_json(), ensure_ascii=False) if r.is_json else r.get_data(as_text=True)


def _component(tree, ident: str) -> dict | None:
    """The component with `ident` in a layout returned as JSON."""
    if isinstance(tree, dict):
        props = tree.get("props")
        if isinstance(props, dict) and props.get("id") == ident:
            return tree
        children = list(tree.values())
    elif isinstance(tree, list):
        children = tree
    else:
        return None
    for child in children:
        found = _component(child, ident)
        if found is not None:
            return found
    return None


def screen_component(app, client, search: str, ident: str, path: str = "/screen") -> dict:
    status, text = render(app, client, path, search)
    assert status == 200, text[:300]
    found = _component(json.loads(text), ident)
    assert found is not None, f"{ident} missing from {path}{search}"
    return found["props"]


def no_leak(text: str) -> None:
    assert "Traceback" not in text and "/work/" not in text and 'File "' not in text and ".py" not in text


# -- malformed callback requests: a short 400, never a 500 ------------------------------------------

MALFORMED = [
    b"[1, 2]", b'"text"', b"null", b"42", b"{}", b"not json",
    json.dumps({"output": 5}).encode(),
    json.dumps({"output": "nope.children", "inputs": []}).encode(),
    json.dumps({"output": "screen-content.children", "inputs": "x"}).encode(),
    json.dumps({"output": "screen-content.children", "inputs": [1, 2, 3]}).encode(),
    json.dumps({"output": "screen-content.children", "inputs": [], "state": []}).encode(),
    json.dumps({"output": "screen-content.children", "inputs": [{"id": "other", "property": "n_intervals", "value": 1}],
                "state": [{"id": "screen-theme", "property": "data"}] * 3}).encode(),
    json.dumps({"output": "screen-content.children", "inputs": [{"id": "screen-interval", "property": "n_intervals"}],
                "state": {"a": 1}}).encode(),
    json.dumps({"output": "screen-content.children", "inputs": [{"id": "screen-interval", "property": "n_intervals"}],
                "state": [{"id": "screen-theme", "property": "data"}] * 3, "changedPropIds": "x"}).encode(),
    # a clientside callback has no server function to run
    json.dumps({"output": "shell-lang-switch.n_clicks", "inputs": [{"id": "shell-lang-switch", "property": "n_clicks"}],
                "state": [{"id": "shell-next-lang", "property": "data"}]}).encode(),
    # the pages router reads the URL's path and query as text
    json.dumps({"output": ROUTER, "inputs": [{"id": "_pages_location", "property": "pathname", "value": ["/"]},
                                             {"id": "_pages_location", "property": "search", "value": ""}]}).encode(),
    json.dumps({"output": ROUTER, "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/"},
                                             {"id": "_pages_location", "property": "search", "value": 5}]}).encode(),
    json.dumps({"output": ROUTER, "inputs": [{"id": "_pages_location", "property": "pathname", "value": "screen"},
                                             {"id": "_pages_location", "property": "search", "value": ""}]}).encode(),
]


@pytest.mark.parametrize("body", MALFORMED, ids=lambda b: b[:40].decode())
def test_a_malformed_callback_body_is_refused_with_a_short_message(client, body):
    r = client.post(UPDATE, data=body, content_type="application/json")
    assert r.status_code == 400
    text = r.get_data(as_text=True)
    assert text.startswith("malformed callback request") and len(text) < 200
    no_leak(text)


GARBAGE = [None, 0, -5, 3_000_000, True, "", "x", "9" * 10_000, [], ["330100", "330200"], {}, {"points": "x"},
           {"points": [{}]}, {"points": [{"customdata": ["330100"]}]}, {"points": [{"customdata": "9" * 10_000}]},
           [{"a": 1}], 1.5]


def test_every_registered_callback_survives_garbage_inputs(app, client):
    """Every server callback of the app, with every input and state set to values of the wrong shape."""
    server_callbacks = [out for out, cb in app.callback_map.items() if cb.get("callback") is not None]
    assert len(server_callbacks) >= 5  # the screen's, the workbench's region search, the records grid and the pages router
    failures = []
    for output in server_callbacks:
        cb = app.callback_map[output]
        for value in GARBAGE:
            body = body_for(app, output, [value] * len(cb["inputs"]), [value] * len(cb["state"]))
            r = client.post(UPDATE, json=body)
            # Dash's own pages router reads the URL as a path: anything else is a malformed request
            refused = r.status_code == 400 and output == ROUTER and not str(value).startswith("/")
            if r.status_code not in (200, 204) and not refused:
                failures.append(f"{output} with {str(value)[:30]}: {r.status_code}")
    assert not failures


@pytest.mark.parametrize("search", ["?period=1999-01&region=330100", "?period=2026&region=330100",
                                    "?region=999999", "?dimension=nope"])
def test_an_unknown_selection_on_the_index_page_is_said(app, client, search):
    """The index page is drawn from its address: a choice the snapshot lacks is said (a period:
    the latest is shown; a region: the top is shown; a dimension: the filter is dropped)."""
    status, text = render(app, client, "/waste-free", search)
    tree = json.loads(text)
    assert status == 200 and _component(tree, "wfi-ranking") is not None
    said = [i for i in ("wb-period-missing", "wb-out-of-scope", "wfi-bad-dimension") if _component(tree, i) is not None]
    assert said or "period=2026&" in search  # a period of another frequency's shape: dropped, the latest shown


@pytest.mark.parametrize(("search", "name"), [
    ("?period=2026-10&region=330100", "杭州市"),
    ("?period=2026-10&period=2026-09&region=330100", "杭州市"),  # a repeated period: the latest
])
def test_a_known_selection_on_the_index_page_is_drawn(app, client, search, name):
    status, text = render(app, client, "/waste-free", search)
    assert status == 200 and name in json.dumps(_component(json.loads(text), "wfi-detail"), ensure_ascii=False)


def _updates(r) -> dict:
    """What a callback response changes: Dash answers 204, or 200 with nothing, when it changes nothing."""
    assert r.status_code in (200, 204), r.get_data(as_text=True)[:300]
    return {} if r.status_code == 204 else r.get_json().get("response", {})


def test_a_map_click_of_the_wrong_shape_changes_nothing(app, client):
    for click in (["330100"], {"code": "330100"}, "3" * 10_240, "../330100", "330106001"):
        assert _updates(client.post(UPDATE, json=body_for(app, "screen-url.href", [None, click], ["overview"]))) == {}
    r = client.post(UPDATE, json=body_for(app, "screen-url.href", [None, "330100"], ["overview"], changed=1))
    assert _updates(r) == {"screen-url": {"href": "/screen?region=330100"}}
    r = client.post(UPDATE, json=body_for(app, "screen-url.href", [{"points": [{"customdata": "330200"}]}, None],
                                          ["nope"]))
    assert _updates(r) == {"screen-url": {"href": "/screen?region=330200"}}


# -- page parameters: the default view or a clear message ------------------------------------------

@pytest.mark.parametrize("search", ["?region=330100&region=330200", "?region=999999", "?region=" + "3" * 10_000,
                                    "?region=%00", "?lang=xx&lang=en", "?theme=nope", "?carousel=5&carousel=6"])
def test_bad_screen_parameters_give_the_province_view(app, client, search):
    title = screen_component(app, client, search, "screen-title")
    assert title["children"].startswith("浙江省")


@pytest.mark.parametrize("path", ["/screen/nope", "/screen/" + "x" * 5000, "/screen/__init__", "/screen/THEMES"])
def test_an_unknown_theme_gives_the_overview(app, client, path):
    assert screen_component(app, client, "", "screen-theme", path)["data"] == "overview"


@pytest.mark.parametrize(("refresh", "ms"), [("abc", 60_000), ("-5", 10_000), ("0", 10_000), ("3000000", 3_600_000),
                                             ("1e9", 60_000), ("30", 30_000), ("99999999999999999999", 3_600_000)])
def test_the_refresh_interval_is_clamped_on_the_server(app, client, refresh, ms):
    """Above 2^31-1 ms a browser's setInterval fires at once, over and over: ?refresh=3000000 made one tab
    send hundreds of callbacks a minute. Clamped to 10 s … 1 h."""
    assert screen_component(app, client, f"?refresh={refresh}", "screen-interval")["interval"] == ms


@pytest.mark.parametrize(("carousel", "ms"), [("5", 10_000), ("3000000", 3_600_000), ("30", 30_000), ("-1", 10_000)])
def test_the_carousel_interval_is_clamped_on_the_server(app, client, carousel, ms):
    props = screen_component(app, client, f"?carousel={carousel}", "screen-carousel")
    assert props["interval"] == ms and props["disabled"] is False


@pytest.mark.parametrize("carousel", ["abc", "", None])
def test_no_carousel_unless_asked_for_with_a_number(app, client, carousel):
    search = "" if carousel is None else f"?carousel={carousel}"
    assert screen_component(app, client, search, "screen-carousel")["disabled"] is True


@pytest.mark.parametrize("search", ["?frequency=decade", "?frequency=month&frequency=year", "?lang=en&lang=zh"])
def test_bad_index_page_parameters_give_the_default_view(app, client, search):
    status, text = render(app, client, "/waste-free", search)
    assert status == 200 and _component(json.loads(text), "wfi-ranking") is not None


@pytest.mark.parametrize("search", ["?lang=en&lang=zh", "?x=" + "y" * 5000])
def test_bad_home_parameters_give_the_home_page(app, client, search):
    status, text = render(app, client, "/", search)
    assert status == 200 and _component(json.loads(text), "home-page") is not None


# -- limits and unknown paths ---------------------------------------------------------------------------

def test_a_large_post_is_refused_before_it_is_read(client):
    r = client.post(UPDATE, data=b"{" + b" " * (2 * 1024 * 1024) + b"}", content_type="application/json")
    assert r.status_code == 413
    no_leak(r.get_data(as_text=True))


def test_the_served_app_refuses_a_large_post(live_server):
    """The served app answers a 100 MB post from its headers, before reading (or spooling) the body."""
    from urllib.parse import urlparse

    url = urlparse(live_server)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.putrequest("POST", UPDATE)
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(100 * 1024 * 1024))
        conn.endheaders()
        conn.send(b"{" + b" " * 1024)
        response = conn.getresponse()
        assert response.status == 413
        no_leak(response.read().decode(errors="replace"))
    finally:
        conn.close()


@pytest.mark.parametrize("path", ["/_dash-component-suites/dash/nope.js", "/_dash-component-suites/dash/../x.js",
                                  "/_dash-component-suites/nope/x.js", "/_dash-component-suites/os/path.py",
                                  "/_dash-component-suites/dash/dcc/nope.v1_0_0m123.js",
                                  "/_dash-component-suites/dash/%2e%2e/%2e%2e/etc/passwd"])
def test_component_suite_paths_that_do_not_exist_answer_404(client, path):
    r = client.get(path)
    assert r.status_code == 404
    text = r.get_data(as_text=True)
    assert len(text) < 200 and "Registered" not in text
    no_leak(text)


@pytest.mark.parametrize("path", ["/nope", "/screen/extra/parts", "/_deckgl/nope.js", "/waste-free/x"])
def test_unknown_pages_answer_404_with_the_apps_page(app, client, path):
    r = client.get(path)
    if path.startswith("/screen/"):  # a theme the screen does not know shows the overview
        assert r.status_code == 200
        return
    assert r.status_code == 404 and "_dash-renderer" in r.get_data(as_text=True)  # the app, which draws its 404 view
    status, text = render(app, client, path)
    assert status == 200 and "页面不存在" in text and _component(json.loads(text), "notfound-page") is not None


def test_known_pages_answer_200(client):
    for path in ("/", "/screen", "/screen/economy", "/waste-free", "/?lang=en"):
        assert client.get(path).status_code == 200, path


def test_an_error_inside_a_callback_leaks_nothing(app, client, monkeypatch):
    from cockpit.indicators import snapshot

    def broken(*_args, **_kwargs):
        raise RuntimeError("secret detail in /work/main/cockpit/query/snapshot.py")

    monkeypatch.setattr(snapshot, "resolve_current", broken)
    r = client.post(UPDATE, json=body_for(app, "screen-content.children", [1], ["overview", "330000", "x"]))
    assert r.status_code == 500
    text = r.get_data(as_text=True)
    assert "secret" not in text
    no_leak(text)


# -- in the browser: what only a browser shows ----------------------------------------------------

@pytest.mark.browser
def test_a_huge_refresh_does_not_make_the_screen_poll_without_pause(visit):
    """`?refresh=3000000` (3·10⁹ ms, past setInterval's 2^31-1) made one tab post hundreds of
    callbacks in seconds; clamped to an hour, the open screen posts none."""
    v = visit(1920, 1080)
    page = v.goto("/screen?refresh=3000000")
    page.wait_for_selector("#screen-canvas", timeout=30_000)

    def posts() -> int:
        return sum(1 for url in v.requests if url.endswith(UPDATE))

    settled = posts()
    page.wait_for_timeout(4_000)
    assert posts() - settled <= 2  # a late hover or resize callback at most, not a stream
    assert v.console_errors == []


@pytest.mark.browser
def test_an_unknown_address_draws_the_apps_not_found_page(visit):
    v = visit()
    page = v.goto("/nope?lang=en")
    assert page.wait_for_selector("#notfound-page", timeout=30_000).inner_text().startswith("Page not found")
    page.click("#notfound-page a")
    page.wait_for_selector("#home-page", timeout=30_000)
    assert v.external_requests == [] and [e for e in v.console_errors if "404" not in e] == []


def _output_of(app, fragment: str) -> str:
    return next(out for out in app.callback_map if fragment in out)


def test_a_county_viewer_gets_nothing_of_another_county_from_the_new_callbacks(app, client, monkeypatch):
    """The records grid and the region picker are server callbacks: a county clerk who posts another
    county's code to them directly gets nothing of it (the reader's scope, not the page, decides)."""
    from cockpit.query.snapshot import current_snapshot
    from cockpit.query.viewer import Viewer
    from cockpit.ui import request

    monkeypatch.setattr(request, "viewer", lambda lang=None: Viewer(role="staff", region="330602", lang="zh"))
    period = current_snapshot().periods("hotline_orders", "month")[0]
    grid = _output_of(app, "records-grid.getRowsResponse")
    cb = app.callback_map[grid]
    own, other = (f"indicator=hotline_orders&region={code}&frequency=month&period={period}"
                  for code in ("330602", "330102"))
    answers = {}
    for name, query in (("own", own), ("other", other)):
        r = client.post(UPDATE, json=body_for(app, grid, [{"startRow": 0, "endRow": 100}], [query] * len(cb["state"])))
        assert r.status_code == 200, r.get_data(as_text=True)[:300]
        answers[name] = json.dumps(r.get_json(), ensure_ascii=False)
    assert '"330602' in answers["own"]  # the clerk's own county's orders
    assert '"330102' not in answers["other"] and '"rowCount": 0' in answers["other"].replace('"rowCount":0', '"rowCount": 0')
    search = _output_of(app, '"key":"region","wb":"set"}.options')
    r = client.post(UPDATE, json=body_for(app, search, ["上城"], [[]]))
    assert r.status_code in (200, 204) and "330102" not in r.get_data(as_text=True)
    r = client.post(UPDATE, json=body_for(app, search, ["越城"], [[]]))
    assert "330602" in r.get_data(as_text=True)
