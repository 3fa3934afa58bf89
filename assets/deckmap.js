// deck.gl region maps (cockpit/ui/deckmap.py). Finds every element carrying a
// `data-deckmap-spec` attribute, loads deck.gl's bundle (served by register_deck_assets) the first
// time one appears, then draws: createDeck once per element, updateDeck when the spec changes, finalize
// when the element leaves the page. Region names are HTML labels placed over the canvas after each
// redraw. Region clicks and hovers are sent to the stores `<id>-click` and `<id>-hover` with
// dash_clientside.set_props.
(function () {
  'use strict';
  var ATTR = 'data-deckmap-spec';
  var maps = [];           // {el, host, deck, text, boundsKey, size, hover, labels, labelBox, viewKey}
  var pending = new Set(); // elements waiting for a draw
  var bundle = null;       // Promise of the loaded bundle
  var stats = { created: 0, updated: 0, adopted: 0, finalized: 0, frames: 0 };
  var TOOLTIP_STYLE = {
    backgroundColor: 'rgba(var(--cockpit-screen-bg-rgb), 0.92)', color: 'var(--cockpit-map-tip-text)', border: '1px solid rgba(var(--cockpit-map-frame-rgb), 0.55)',
    borderRadius: '2px', padding: '6px 10px', fontSize: '14px', lineHeight: '1.5',
    fontFamily: '"Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif'
  };

  function prefix() {
    try {
      var cfg = JSON.parse(document.getElementById('_dash-config').textContent);
      return cfg.requests_pathname_prefix || '/';
    } catch (e) { return '/'; }
  }

  function loadBundle(path) {
    if (window.cockpitDeckGL) { return Promise.resolve(); }
    if (!bundle) {
      bundle = new Promise(function (resolve, reject) {
        var s = document.createElement('script');
        s.src = prefix() + path;
        s.async = true;
        s.onload = function () {
          if (window.cockpitDeckGL) { resolve(); } else { reject(new Error('deck.gl bundle loaded without cockpitDeckGL')); }
        };
        s.onerror = function () {
          bundle = null;
          reject(new Error('deck.gl bundle not found at ' + s.src + ': call cockpit.ui.deckmap.register_deck_assets(app.server)'));
        };
        document.head.appendChild(s);
      });
    }
    return bundle;
  }

  function stateOf(el) {
    for (var i = 0; i < maps.length; i++) { if (maps[i].el === el) { return maps[i]; } }
    return null;
  }

  // --- view fitting (Web Mercator, deck.gl's 512-pixel world at zoom 0) ---
  function mx(lon) { return (lon + 180) / 360 * 512; }
  function my(lat) {
    var s = Math.sin(Math.max(-85, Math.min(85, lat)) * Math.PI / 180);
    return (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * 512;
  }
  function unY(y) { return Math.atan(Math.sinh(Math.PI - 2 * Math.PI * y / 512)) * 180 / Math.PI; }
  function sizeOf(el) { return [el.clientWidth || 800, el.clientHeight || 600]; }
  function fitView(b, size) {
    var pad = 0.07, w = size[0] * (1 - 2 * pad), h = size[1] * (1 - 2 * pad);
    var dx = Math.max(mx(b[2]) - mx(b[0]), 1e-9), dy = Math.max(my(b[1]) - my(b[3]), 1e-9);
    return {
      longitude: (b[0] + b[2]) / 2, latitude: unY((my(b[1]) + my(b[3])) / 2),
      zoom: Math.log2(Math.min(w / dx, h / dy)), pitch: 0, bearing: 0, transitionDuration: 0
    };
  }
  // Crisp on scaled screens (bigscreen.js scales a 1920×1080 canvas with a CSS transform).
  function pixelRatio(el) {
    var r = el.getBoundingClientRect(), scale = el.offsetWidth ? r.width / el.offsetWidth : 1;
    return Math.min(3, (window.devicePixelRatio || 1) * Math.max(1, scale));
  }

  function tooltip(info) {
    var o = info && info.object;
    var tip = o && ((o.properties && o.properties.tip) || o.tip);
    return tip ? { html: tip, style: TOOLTIP_STYLE } : null;
  }

  function regionCode(info) {
    return info && info.layer && info.layer.id === 'regions' && info.object && info.object.properties
      ? info.object.properties.code : null;
  }

  function send(id, value) {
    if (window.dash_clientside && window.dash_clientside.set_props) {
      window.dash_clientside.set_props(id, { data: value });
    }
  }

  // --- outlines: a layer whose data is {outlinesOf: <layer id>, codes: [...]} traces the rings of
  // that layer's polygons (only the given codes' when codes are given) as line segments ---
  var segmentCache = new WeakMap();  // features array -> {codes key: segments}
  function segmentsOf(features, codes) {
    var byKey = segmentCache.get(features);
    if (!byKey) { byKey = {}; segmentCache.set(features, byKey); }
    var key = codes ? codes.join(',') : '*';
    if (byKey[key]) { return byKey[key]; }  // the same array again: deck.gl keeps the layer's buffers
    var out = [];
    features.forEach(function (f) {
      var g = f.geometry;
      if (!g || (codes && codes.indexOf(f.properties.code) < 0)) { return; }
      var polygons = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
      polygons.forEach(function (rings) {
        rings.forEach(function (ring) {
          for (var i = 1; i < ring.length; i++) { out.push({ s: ring[i - 1], t: ring[i] }); }
        });
      });
    });
    byKey[key] = out;
    return out;
  }

  function withOutlines(json) {
    var byId = {};
    (json.layers || []).forEach(function (layer) { byId[layer.id] = layer; });
    return Object.assign({}, json, { layers: (json.layers || []).map(function (layer) {
      var d = layer.data;
      if (!d || !d.outlinesOf) { return layer; }
      var source = byId[d.outlinesOf], features = (source && source.data && source.data.features) || [];
      return Object.assign({}, layer, { data: segmentsOf(features, d.codes || null) });
    }) });
  }

  // --- region names: HTML over the canvas, moved with the view ---
  function setLabels(st, labels) {
    var key = JSON.stringify(labels || []);
    if (key === st.labelsKey) { return; }
    st.labelsKey = key;
    st.labels = labels || [];
    st.labelBox.textContent = '';
    st.labelEls = st.labels.map(function (label) {
      var span = document.createElement('span');
      span.className = 'deckmap-label';
      span.textContent = label.name;
      st.labelBox.appendChild(span);
      return span;
    });
    st.viewKey = null;
    st.labelSizes = null;
    st.labelBox.style.visibility = 'hidden';  // until placed by the next frame
  }

  function placeLabels(st) {
    var vp = st.deck && st.deck.getViewports()[0];
    if (!vp) { return; }
    var key = [vp.longitude, vp.latitude, vp.zoom, vp.width, vp.height].join(',');
    if (key === st.viewKey) { return; }
    st.viewKey = key;
    if (!st.labelSizes) {  // measured once per set of names (layout units, unaffected by the screen's scale)
      st.labelSizes = st.labelEls.map(function (el) { return [el.offsetWidth, el.offsetHeight]; });
    }
    var shown = [];  // boxes of the names placed so far: larger regions come first in the spec
    st.labels.forEach(function (label, i) {
      var p = vp.project(label.position), el = st.labelEls[i], size = st.labelSizes[i];
      var box = [p[0] - size[0] / 2 - 2, p[1] - size[1] / 2 - 1, p[0] + size[0] / 2 + 2, p[1] + size[1] / 2 + 1];
      var outside = p[0] < -40 || p[1] < -20 || p[0] > vp.width + 40 || p[1] > vp.height + 20;
      var overlaps = shown.some(function (b) { return box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]; });
      el.style.display = outside || overlaps ? 'none' : '';
      if (!outside && !overlaps) { shown.push(box); }
      el.style.transform = 'translate(' + p[0].toFixed(1) + 'px,' + p[1].toFixed(1) + 'px) translate(-50%,-50%)';
    });
    st.labelBox.style.visibility = '';
  }

  function finalize(st) {
    try { if (st.deck) { st.deck.finalize(); } } catch (e) { console.warn('deckmap: finalize', e); }
    if (st.host) { st.host.remove(); }
    st.deck = null;
    st.host = null;
    stats.finalized += 1;
  }

  function create(el, spec, text) {
    var id = el.getAttribute('data-deckmap');
    var host = document.createElement('div');
    host.style.cssText = 'position:absolute;left:0;top:0;width:100%;height:100%;';
    el.appendChild(host);
    var labelBox = document.createElement('div');
    labelBox.className = 'deckmap-labels';
    host.appendChild(labelBox);
    var size = sizeOf(el);
    var st = { el: el, host: host, deck: null, text: text, boundsKey: JSON.stringify(spec.bounds), size: size,
               bounds: spec.bounds, hover: null, spec: spec, labelBox: labelBox, labels: [], labelEls: [] };
    setLabels(st, spec.labels);
    var json = Object.assign({}, spec.deck, { initialViewState: fitView(spec.bounds, size) });
    st.deck = window.cockpitDeckGL.createDeck(host, withOutlines(json), {
      useDevicePixels: pixelRatio(el),
      getTooltip: tooltip,
      onHover: function (info) {
        var hovered = regionCode(info);
        if (hovered !== st.hover) {
          st.hover = hovered;
          send(id + '-hover', hovered);
          // other panels (bigscreen.js) highlight the same region
          window.dispatchEvent(new CustomEvent('cockpit:region-hover', { detail: { code: hovered, source: 'map' } }));
        }
      },
      onResize: function () {
        var now = sizeOf(st.el);
        if (st.deck && (now[0] !== st.size[0] || now[1] !== st.size[1])) {
          st.size = now;
          st.deck.setProps({ initialViewState: fitView(st.bounds, now), useDevicePixels: pixelRatio(st.el) });
        }
      },
      onAfterRender: function () { placeLabels(st); stats.frames += 1; }
    });
    if (!st.deck) { host.remove(); throw new Error('deckmap: createDeck failed for ' + id); }
    // Clicks are picked here rather than through deck's tap gesture, which drops taps whose
    // pointerup is handled late (slow software rendering): a click is a press released within a
    // few pixels of where it started, whatever the time in between.
    host.addEventListener('pointerdown', function (e) { st.down = [e.clientX, e.clientY]; });
    host.addEventListener('click', function (e) {
      if (!st.deck || !st.down || Math.abs(e.clientX - st.down[0]) + Math.abs(e.clientY - st.down[1]) > 6) { return; }
      var r = st.el.getBoundingClientRect();
      var sx = r.width ? st.el.offsetWidth / r.width : 1, sy = r.height ? st.el.offsetHeight / r.height : 1;
      var info = st.deck.pickObject({ x: (e.clientX - r.left) * sx, y: (e.clientY - r.top) * sy, radius: 2, layerIds: ['regions'] });
      var code = regionCode(info);
      if (code) { send(id + '-click', code); }
    });
    maps.push(st);
    stats.created += 1;
    return st;
  }

  function update(st, spec, text) {
    var json = Object.assign({}, spec.deck);
    var key = JSON.stringify(spec.bounds), sameArea = key === st.boundsKey;
    if (!sameArea) {   // another area: fit it; same area: keep the user's pan/zoom
      st.boundsKey = key;
      st.bounds = spec.bounds;
      st.size = sizeOf(st.el);
      json.initialViewState = fitView(spec.bounds, st.size);
    }
    window.cockpitDeckGL.updateDeck(st.deck, withOutlines(json));
    setLabels(st, spec.labels);
    // same view: place the names now (the new spec may draw nothing new); a new area's view is
    // the next frame's, and onAfterRender places them then
    if (sameArea) { placeLabels(st); }
    st.text = text;
    st.spec = spec;
    stats.updated += 1;
  }

  // A callback that returns a new region_map with the same id makes React mount a new host
  // element: move the old deck (canvas, WebGL context, layers) into it instead of starting over.
  function adopt(el) {
    var id = el.getAttribute('data-deckmap');
    for (var i = 0; i < maps.length; i++) {
      var st = maps[i];
      if (st.deck && !st.el.isConnected && st.el.getAttribute('data-deckmap') === id) {
        el.appendChild(st.host);
        st.el = el;
        st.hover = null;
        stats.adopted += 1;
        return st;
      }
    }
    return null;
  }

  function draw(el) {
    var text = el.getAttribute(ATTR);
    if (!text || !el.isConnected) { return Promise.resolve(); }
    var st = stateOf(el);
    if (st && st.text === text) { return Promise.resolve(); }
    var spec;
    try { spec = JSON.parse(text); } catch (e) { console.error('deckmap: bad spec', e); return Promise.resolve(); }
    return loadBundle(spec.bundle).then(function () {
      if (el.getAttribute(ATTR) !== text || !el.isConnected) { return; } // superseded meanwhile
      var current = stateOf(el) || adopt(el);
      if (current && current.deck) { update(current, spec, text); } else { create(el, spec, text); }
    }).catch(function (err) {
      console.error(err.message || err);
      el.textContent = err.message || String(err);
      el.style.color = 'var(--cockpit-map-error)';
    });
  }

  // Decks whose host left the page (and was not adopted by a new host) are finalized.
  function sweep() {
    maps = maps.filter(function (st) {
      if (st.el.isConnected) { return true; }
      finalize(st);
      return false;
    });
  }

  // Draw what changed, then sweep: in that order, so a remounted map is adopted, not rebuilt.
  var flushing = null, again = false;
  function flush() {
    if (flushing) { again = true; return; }
    var els = Array.from(pending);
    pending.clear();
    flushing = Promise.all(els.map(draw)).then(function () {
      sweep();
      flushing = null;
      if (again || pending.size) { again = false; setTimeout(flush, 0); }
    });
  }

  var timer = null;
  function schedule(el) {
    if (el) { pending.add(el); }
    if (timer) { return; }
    timer = setTimeout(function () { timer = null; flush(); }, 0);
  }

  function scan(root) {
    if (root.nodeType !== 1) { return; }
    if (root.hasAttribute(ATTR)) { schedule(root); }
    root.querySelectorAll('[' + ATTR + ']').forEach(schedule);
  }

  function start() {
    new MutationObserver(function (records) {
      records.forEach(function (r) {
        if (r.type === 'attributes') { schedule(r.target); return; }
        r.addedNodes.forEach(scan);
        if (r.removedNodes.length && maps.length) { schedule(null); }
      });
    }).observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: [ATTR] });
    scan(document.documentElement);
  }

  // For tests and debugging: where a lon/lat lands on a map's canvas (page pixels), and counters.
  // Highlight one region (by code) on every map, as if hovered; null clears it. The layers' data
  // are the same objects as before, so deck.gl only redraws, it does not recompute.
  function highlight(code) {
    maps.forEach(function (st) {
      if (!st.deck || !st.spec) { return; }
      var json = Object.assign({}, st.spec.deck);
      json.layers = json.layers.map(function (layer) {
        if (layer.id !== 'regions') { return layer; }
        var feats = (layer.data && layer.data.features) || [], index = null;
        for (var i = 0; code && i < feats.length; i++) {
          if (feats[i].properties.code === code) { index = i; break; }
        }
        return Object.assign({}, layer, { highlightedObjectIndex: index });
      });
      window.cockpitDeckGL.updateDeck(st.deck, withOutlines(json));
      st.highlighted = code || null;
    });
  }

  window.cockpitDeckmap = {
    stats: stats,
    highlight: highlight,
    highlighted: function (id) {
      var el = document.querySelector('[data-deckmap="' + id + '"]'), st = el && stateOf(el);
      return st ? st.highlighted || null : null;
    },
    live: function () { return maps.filter(function (st) { return st.deck; }).length; },
    metrics: function (id) {
      var el = document.querySelector('[data-deckmap="' + id + '"]'), st = el && stateOf(el);
      return st && st.deck ? Object.assign({}, st.deck.metrics) : null;
    },
    project: function (id, lon, lat) {
      var el = document.querySelector('[data-deckmap="' + id + '"]');
      var st = el && stateOf(el);
      if (!st || !st.deck) { return null; }
      var vp = st.deck.getViewports()[0];
      var p = vp.project([lon, lat]), r = el.getBoundingClientRect();
      var sx = el.offsetWidth ? r.width / el.offsetWidth : 1, sy = el.offsetHeight ? r.height / el.offsetHeight : 1;
      return [r.left + p[0] * sx, r.top + p[1] * sy];
    }
  };

  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
})();
