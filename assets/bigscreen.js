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
  window.addEventListener('resize', fit);
  new MutationObserver(fit).observe(document.documentElement, { childList: true, subtree: true });
  setInterval(tick, 1000);
  document.addEventListener('DOMContentLoaded', function () { fit(); tick(); });
})();

// A leader touching the screen pauses the theme carousel for a minute (pages/screen.py reads this).
['pointerdown', 'keydown', 'wheel'].forEach(function (kind) {
  window.addEventListener(kind, function () { window.cockpitScreenTouchedAt = Date.now(); }, true);
});
