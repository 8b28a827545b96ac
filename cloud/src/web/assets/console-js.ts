/**
 * The console's own script, the only one besides htmx: the warning one minute before the idle sign-out (and the
 * sign-out itself), focus on the new page after a navigation htmx made, and Escape to hide a locker's summary shown
 * on hover or focus (WCAG 1.4.13). Plain ES2017 served as a file: the pages' policy runs no inline script.
 */
export const CONSOLE_JS = `
(function () {
  'use strict';
  var body = document.body;
  var idle = Number(body.getAttribute('data-idle-seconds')) || 0;
  var signedOut = body.getAttribute('data-signed-out') || '/account/sign-in';
  var timers = [];
  function arm() {
    timers.forEach(clearTimeout);
    timers = [];
    var warn = document.getElementById('idle-warning');
    if (warn) warn.hidden = true;
    if (!idle) return;
    if (idle > 60) {
      timers.push(setTimeout(function () {
        var w = document.getElementById('idle-warning');
        if (!w) return;
        w.hidden = false;
        var b = w.querySelector('button');
        if (b) b.focus();
      }, (idle - 60) * 1000));
    }
    timers.push(setTimeout(function () { window.location.assign(signedOut); }, idle * 1000));
  }
  document.addEventListener('htmx:afterRequest', arm);
  document.addEventListener('htmx:afterSettle', function (e) {
    var d = e.detail || {};
    if (!d.boosted) return;
    var main = document.getElementById('main');
    if (main) main.focus();
  });
  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape') return;
    document.querySelectorAll('.locker:hover, .locker:focus-within').forEach(function (el) { el.classList.add('tip-off'); });
  });
  function leave(e) {
    var l = e.target && e.target.closest ? e.target.closest('.locker') : null;
    if (l && !l.contains(e.relatedTarget)) l.classList.remove('tip-off');
  }
  document.addEventListener('focusout', leave);
  document.addEventListener('mouseout', leave);
  arm();
})();
`.trim();
