// The big screen is designed on a 1920×1080 canvas: scale it uniformly to the window (letterboxed,
// centred, never stretched), switch the page into big-screen mode, and tick the clock.
(function () {
  var W = 1920, H = 1080;
  function fit() {
    var canvases = document.querySelectorAll('.bigscreen-canvas');
    document.body.classList.toggle('bigscreen-mode', canvases.length > 0);
    var w = window.innerWidth, h = window.innerHeight, s = Math.min(w / W, h / H);
    var x = (w - W * s) / 2, y = (h - H * s) / 2;
    canvases.forEach(function (c) {
      var t = 'translate(' + x + 'px,' + y + 'px) scale(' + s + ')';
      if (c.style.transform !== t) { c.style.transform = t; }
    });
  }
  function tick() {
    var now = new Date(), pad = function (n) { return String(n).padStart(2, '0'); };
    var text = now.getFullYear() + '-' + pad(now.getMonth() + 1) + '-' + pad(now.getDate()) + ' ' +
      pad(now.getHours()) + ':' + pad(now.getMinutes()) + ':' + pad(now.getSeconds());
    document.querySelectorAll('.bs-clock').forEach(function (el) { el.textContent = text; });
  }
  // A headline number keeps to its tile: one that would overflow (a long unit, an English word) is
  // set smaller until it fits, never cut. Measured in the canvas's own units, so the scale is moot.
  // Text that would run past its tile is set smaller, down to a floor: headline numbers to 60 %,
  // panel titles to 80 % (then an ellipsis), headline names to 75 % and then onto two lines (both
  // whole in their tooltips).
  function shrink(el, floor) {
    el.style.fontSize = '';
    var size = parseFloat(window.getComputedStyle(el).fontSize), min = size * floor;
    while (el.scrollWidth > el.clientWidth && size > min) {
      size -= 1;
      el.style.fontSize = size + 'px';
    }
    return el.scrollWidth > el.clientWidth;
  }
  var ONE_LINE = [['.bs-kpi-value', 0.6], ['.bs-panel-title-text', 0.8]];
  function fitText() {
    ONE_LINE.forEach(function (rule) {
      document.querySelectorAll('.bigscreen-canvas ' + rule[0]).forEach(function (el) {
        if (el.dataset.fitted !== el.textContent) { shrink(el, rule[1]); el.dataset.fitted = el.textContent; }
      });
    });
    document.querySelectorAll('.bigscreen-canvas .bs-kpi-name').forEach(function (box) {
      var name = box.firstElementChild;
      if (!name || box.dataset.fitted === box.textContent) { return; }
      box.classList.remove('bs-kpi-name-wrap');
      box.classList.toggle('bs-kpi-name-wrap', shrink(name, 0.75));
      box.dataset.fitted = box.textContent;
    });
  }
  window.addEventListener('resize', fit);
  new MutationObserver(function () { fit(); fitText(); })
    .observe(document.documentElement, { childList: true, subtree: true, characterData: true });
  setInterval(tick, 1000);
  document.addEventListener('DOMContentLoaded', function () { fit(); tick(); });
})();

// A leader touching the screen pauses the theme carousel for a minute (pages/screen.py reads this).
['pointerdown', 'keydown', 'wheel'].forEach(function (kind) {
  window.addEventListener(kind, function () { window.cockpitScreenTouchedAt = Date.now(); }, true);
});

// Linked highlighting: hovering a region on one panel (a ranking bar, a map region) highlights the
// same region on the others. Ranking bars carry region codes in their customdata; deckmap.js
// announces map hovers with the same `cockpit:region-hover` event and draws the highlight.
(function () {
  var DIM = 0.35;

  function regionCodes(gd) {
    var trace = gd.data && gd.data[0];
    return trace && Array.isArray(trace.customdata) ? trace.customdata : null;
  }

  function highlight(code, source) {
    document.querySelectorAll('.bigscreen-canvas .js-plotly-plot').forEach(function (gd) {
      var codes = regionCodes(gd);
      if (!codes || !window.Plotly) { return; }
      var opacity = code && codes.indexOf(code) >= 0
        ? codes.map(function (c) { return c === code ? 1 : DIM; }) : 1;
      var key = JSON.stringify(opacity);
      if (gd._cockpitOpacity === key) { return; }
      gd._cockpitOpacity = key;
      window.Plotly.restyle(gd, { 'marker.opacity': [opacity] }, [0]);
    });
    if (window.cockpitDeckmap && source !== 'map') { window.cockpitDeckmap.highlight(code); }
  }

  function announce(code, source) {
    window.dispatchEvent(new CustomEvent('cockpit:region-hover', { detail: { code: code, source: source } }));
  }

  function attach(gd) {
    if (gd._cockpitLinked || typeof gd.on !== 'function') { return; }
    gd._cockpitLinked = true;
    gd.on('plotly_hover', function (ev) {
      var p = ev && ev.points && ev.points[0];
      if (p && p.customdata && regionCodes(gd)) { announce(p.customdata, 'chart'); }
    });
    gd.on('plotly_unhover', function () { if (regionCodes(gd)) { announce(null, 'chart'); } });
  }

  window.addEventListener('cockpit:region-hover', function (ev) { highlight(ev.detail.code, ev.detail.source); });
  var pending = null;
  new MutationObserver(function () {
    if (pending) { return; }
    pending = setTimeout(function () {
      pending = null;
      document.querySelectorAll('.bigscreen-canvas .js-plotly-plot').forEach(attach);
    }, 50);
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
