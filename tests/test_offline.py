"""Government intranets have no internet: the app must reference nothing outside itself."""

from __future__ import annotations

import re

from cockpit.web import create_app


def test_index_html_loads_only_local_scripts_and_styles(use_demo_lake, sign_in):
    html = sign_in(create_app()).get("/").get_data(as_text=True)
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert assets, "the page loads no assets at all?"
    external = [a for a in assets if re.match(r"^(https?:)?//", a)]
    assert external == []
    assert any("bootstrap.min.css" in a for a in assets)


def test_vendored_css_references_no_remote_urls():
    from cockpit.config import REPO_ROOT

    for css in (REPO_ROOT / "assets").rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        remote = re.findall(r"url\(\s*['\"]?(?:https?:)?//", text)
        assert remote == [], f"{css} loads something from outside"
        assert "@import" not in text or "http" not in text, css
