// The kiosk's touch screen, in the browser on the controller's display. It draws each view the controller sends
// (Server-Sent Events) and posts every touch and key back; it keeps no session of its own, so a reload or a restarted
// browser draws the session where the kiosk engine holds it. Every text comes from the controller in the session
// language; nothing is built from HTML strings (text goes in as text).
const screen = document.getElementById('screen');
const notice = document.getElementById('notice');
const brand = document.getElementById('brand');
const logo = document.getElementById('logo');

/** The last `view` event: { seq, pageSeq, view, blank, words, otherLang }. */
let current;
let waitTimer;
let noticeTimer;
/** The seq of the view a notice shown now belongs to. */
let noticeFor;
let connectingTimer;
const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];
const LETTERS = ['QWERTYUIOP', 'ASDFGHJKL', 'ZXCVBNM'];

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c) e.append(c);
  return e;
}

/** Posts go one after another: a browser spreads parallel requests over several connections, and a code's digits must arrive in the order touched. */
let sending = Promise.resolve();

function send(input) {
  if (!current) return;
  // The view the touch was made on, taken now: by the time the post leaves the page may have changed.
  const body = JSON.stringify({ ...input, seq: current.seq });
  sending = sending.then(() => fetch('/input', { method: 'POST', headers: { 'content-type': 'application/json' }, body })).catch(() => undefined);
}

// ------------------------------------------------------------------------------------------------ the text draft

/** What was typed in a text field before it is entered, kept across a reload of the same page. */
function draftKey() {
  return current ? `portier-draft-${current.pageSeq}` : 'portier-draft';
}
function readDraft() {
  try {
    return sessionStorage.getItem(draftKey()) ?? '';
  } catch {
    return '';
  }
}
function writeDraft(text) {
  try {
    sessionStorage.clear();
    if (text) sessionStorage.setItem(draftKey(), text);
  } catch {
    // A browser without storage: the draft lives in the field only.
  }
}

// ------------------------------------------------------------------------------------------------ drawing

function entryOf(v, w) {
  const input = v.input;
  if (!input) return undefined;
  if (input.kind === 'text') {
    const field = el('input', {
      id: 'text-entry',
      type: 'text',
      class: 'text-entry',
      autocomplete: 'off',
      autocapitalize: 'characters',
      spellcheck: 'false',
      inputmode: 'none',
      maxlength: 100,
      'aria-describedby': v.error ? 'error' : undefined,
      'aria-invalid': v.error ? 'true' : undefined,
    });
    field.value = readDraft();
    field.addEventListener('input', () => writeDraft(field.value));
    field.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        enterText(field);
      }
    });
    return el('div', { class: 'entry' }, el('label', { for: 'text-entry', text: w.entry }), field);
  }
  const shown = input.masked ? '•'.repeat(input.length) : (input.value ?? '');
  return el(
    'div',
    { class: 'entry' },
    el('span', { id: 'entry-label', class: 'entry-label', text: w.entry }),
    el('output', {
      id: 'entry',
      class: 'entry-value',
      'aria-labelledby': 'entry-label',
      'aria-describedby': 'entry-count',
      text: shown || ' ',
    }),
    el('span', { id: 'entry-count', class: 'visually-hidden', text: w.typed.replace('{count}', String(input.length)) }),
  );
}

function enterText(field) {
  const text = field.value.trim();
  if (!text) return;
  writeDraft('');
  send({ kind: 'text', text });
}

function keypadOf(w) {
  const key = (k, label, cls) => el('button', { type: 'button', class: `key ${cls ?? ''}`, 'data-key': k, onclick: () => send({ kind: 'key', key: k }), text: label });
  return el(
    'div',
    { class: 'keypad', role: 'group', 'aria-label': w.keypad },
    ...DIGITS.map((d) => key(d, d)),
    key('clear', w.clear, 'key-clear'),
    key('0', '0'),
    key('enter', w.enter, 'key-enter'),
  );
}

function keyboardOf(w) {
  const field = () => document.getElementById('text-entry');
  const type = (ch) => {
    const f = field();
    if (!f) return;
    f.value = (f.value + ch).slice(0, 100);
    writeDraft(f.value);
  };
  const key = (label, fn, cls, aria) => el('button', { type: 'button', class: `key ${cls ?? ''}`, 'aria-label': aria, onclick: fn, text: label });
  const rows = [['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'], ...LETTERS.map((r) => [...r])];
  return el(
    'div',
    { class: 'keyboard', role: 'group', 'aria-label': w.keyboard },
    ...rows.map((r) => el('div', { class: 'keyboard-row' }, ...r.map((ch) => key(ch, () => type(ch))))),
    el(
      'div',
      { class: 'keyboard-row' },
      key('-', () => type('-')),
      key(w.space, () => type(' '), 'key-wide'),
      key(w.delete, () => {
        const f = field();
        if (f) {
          f.value = f.value.slice(0, -1);
          writeDraft(f.value);
        }
      }, 'key-wide'),
      key(w.enter, () => {
        const f = field();
        if (f) enterText(f);
      }, 'key-enter key-wide'),
    ),
  );
}

function optionsOf(ev) {
  const { view: v, words: w, otherLang } = ev;
  if (v.options.length === 0) return undefined;
  return el(
    'div',
    { class: 'options', role: 'group', 'aria-label': w.options },
    ...v.options.map((o) =>
      el(
        'button',
        {
          type: 'button',
          class: `option option-${o.id}`,
          'data-option': o.id,
          lang: o.id === 'language' ? otherLang : undefined,
          onclick: () => send({ kind: 'option', id: o.id }),
        },
        o.key ? el('span', { class: 'option-key', 'aria-hidden': 'true', text: o.key }) : undefined,
        el('span', { class: 'option-label', text: o.label }),
      ),
    ),
  );
}

function lockersOf(v, w) {
  if (v.lockers.length === 0) return undefined;
  return el(
    'ul',
    { class: 'lockers', 'aria-label': w.lockers },
    ...v.lockers.map((l) =>
      el('li', { class: 'locker', 'data-locker': l.locker }, el('span', { class: 'locker-number', text: String(l.locker) }), el('span', { class: 'locker-state', text: l.state }), el('span', { class: 'locker-where', text: l.where })),
    ),
  );
}

function waitOf(v, w) {
  clearInterval(waitTimer);
  if (v.waitUntil === undefined) return undefined;
  const p = el('p', { class: 'wait', role: 'status' });
  const tick = () => {
    const s = Math.ceil((v.waitUntil - Date.now()) / 1000);
    if (s <= 0) {
      clearInterval(waitTimer);
      p.textContent = '';
      return;
    }
    // A lock-out of minutes is said in minutes; the short waits between tries count down in seconds.
    p.textContent = s > 90 ? w.waitMinutes.replace('{minutes}', String(Math.ceil(s / 60))) : w.wait.replace('{seconds}', String(s));
  };
  tick();
  waitTimer = setInterval(tick, 1000);
  return p;
}

/** Where focus was, as something the next drawing can find again (a redrawn page keeps a keyboard user's place). */
function focusMark() {
  const a = document.activeElement;
  if (!a || a === document.body) return undefined;
  if (a.dataset.key) return `[data-key="${a.dataset.key}"]`;
  if (a.dataset.option) return `[data-option="${a.dataset.option}"]`;
  if (a.id) return `#${a.id}`;
  return undefined;
}

function draw(ev, samePage) {
  const { view: v, words: w } = ev;
  document.documentElement.lang = v.lang;
  document.title = v.title || 'Portier';
  document.body.classList.toggle('blank', ev.blank);
  document.body.dataset.page = v.page;
  const mark = samePage ? focusMark() : undefined;
  screen.replaceChildren();
  screen.removeAttribute('aria-busy');
  if (ev.blank) {
    screen.append(el('p', { class: 'blank-text', text: w.blank }));
    return;
  }
  const title = el('h1', { id: 'title', tabindex: '-1', text: v.title });
  const alerts = el(
    'div',
    { class: 'alerts' },
    v.error ? el('p', { id: 'error', class: 'error', role: 'alert', text: v.error }) : undefined,
    v.warning ? el('p', { class: 'warning', role: 'alert', text: v.warning }) : undefined,
    el('p', { class: 'feedback', role: 'status', text: v.feedback ?? '' }),
  );
  const lines = el('div', { class: 'lines' }, ...v.lines.map((l) => el('p', { text: l })));
  const info = el('div', { class: 'info' }, title, alerts, lines, waitOf(v, w), entryOf(v, w));
  const input = v.input ? (v.input.kind === 'text' ? keyboardOf(w) : keypadOf(w)) : undefined;
  const controls = el('div', { class: 'controls' }, input, optionsOf(ev));
  // The lockers have a row of their own: across the whole width in landscape, between the text and the keys in portrait.
  const lockers = lockersOf(v, w);
  screen.append(...(lockers ? [info, lockers, controls] : [info, controls]));
  const again = mark ? screen.querySelector(mark) : undefined;
  if (again) again.focus();
  else if (!samePage) {
    const text = document.getElementById('text-entry');
    (text ?? title).focus({ preventScroll: true });
  }
}

/** Typed input only: the entry and the error line change, the rest of the page (and the focus) stays. */
function drawInput(ev) {
  const { view: v, words: w } = ev;
  const entry = screen.querySelector('.entry');
  const next = entryOf(v, w);
  if (!entry || !next || v.input?.kind === 'text') return draw(ev, true);
  entry.replaceWith(next);
  const feedback = screen.querySelector('.feedback');
  if (feedback) feedback.textContent = v.feedback ?? '';
  const error = document.getElementById('error');
  if (error && !v.error) error.remove();
}

function onView(ev) {
  const before = current;
  current = ev;
  // The next person started (a key typed, a page opened) while the last one's goodbye was still up: it goes, or it
  // would cover their page. An update of the home page (a door shut, new bank rules) leaves it.
  if (noticeFor !== undefined && ev.seq > noticeFor && ev.view.change !== 'update') hideNotice();
  const samePage = before !== undefined && before.pageSeq === ev.pageSeq && before.view.lang === ev.view.lang;
  if (samePage && ev.view.change === 'input' && !ev.blank && !before.blank) drawInput(ev);
  else draw(ev, samePage);
  // Signals the page drawn (what a benchmark of touch-to-screen waits for).
  requestAnimationFrame(() => document.dispatchEvent(new CustomEvent('portier:drawn', { detail: ev.seq })));
}

function hideNotice() {
  clearTimeout(noticeTimer);
  noticeFor = undefined;
  notice.classList.remove('shown');
  notice.textContent = '';
}

function onNotice(n) {
  clearTimeout(noticeTimer);
  notice.lang = n.lang;
  notice.textContent = n.text;
  notice.classList.add('shown');
  // The goodbye comes just before the home page it belongs to; a later view is the next person's.
  noticeFor = (current?.seq ?? 0) + 1;
  noticeTimer = setTimeout(hideNotice, 4000);
}

function onBranding(b) {
  const root = document.documentElement.style;
  for (const [name, prop] of [['primary', '--primary'], ['onPrimary', '--on-primary'], ['background', '--background'], ['text', '--text']]) {
    if (b.colours?.[name]) root.setProperty(prop, b.colours[name]);
    else root.removeProperty(prop);
  }
  if (b.logo) {
    logo.src = b.logo.url;
    brand.hidden = false;
  } else {
    logo.removeAttribute('src');
    brand.hidden = true;
  }
}

// ------------------------------------------------------------------------------------------------ connection

function connect() {
  const es = new EventSource('/events');
  const parse = (fn) => (e) => {
    try {
      fn(JSON.parse(e.data));
    } catch {
      // A malformed event is dropped; the next view redraws the page.
    }
  };
  es.addEventListener('view', parse(onView));
  es.addEventListener('notice', parse(onNotice));
  es.addEventListener('branding', parse(onBranding));
  es.addEventListener('open', () => {
    clearTimeout(connectingTimer);
    document.body.classList.remove('connecting');
  });
  es.addEventListener('error', () => {
    // EventSource tries again by itself; the person is told only when it takes longer than a blink.
    clearTimeout(connectingTimer);
    connectingTimer = setTimeout(() => document.body.classList.add('connecting'), 1500);
  });
}

// ------------------------------------------------------------------------------------------------ lock-down

/** A key of a physical keyboard (a technician's, or a keypad that types like one) as the kiosk keypad's key. */
function keypadKeyOf(e) {
  if (/^[0-9]$/.test(e.key)) return e.key;
  if (e.key === 'Enter') return 'enter';
  if (e.key === 'Escape') return 'back';
  if (e.key === 'Backspace' || e.key === 'Delete') return 'clear';
  return undefined;
}

document.addEventListener('keydown', (e) => {
  // Shortcuts that would leave the page or show browser interface: none reach the browser.
  if (e.ctrlKey || e.altKey || e.metaKey || /^F[0-9]+$/.test(e.key)) {
    e.preventDefault();
    return;
  }
  const inText = e.target instanceof HTMLInputElement;
  const onButton = e.target instanceof HTMLButtonElement;
  if (inText) {
    if (e.key === 'Escape') {
      e.preventDefault();
      send({ kind: 'back' });
    }
    return;
  }
  const key = keypadKeyOf(e);
  // Enter and Space on a focused button press that button (the browser's own behaviour).
  if (!key || (onButton && key === 'enter')) return;
  e.preventDefault();
  send({ kind: 'key', key });
});
for (const type of ['contextmenu', 'dragstart', 'auxclick']) document.addEventListener(type, (e) => e.preventDefault());
document.addEventListener('selectstart', (e) => {
  if (!(e.target instanceof HTMLInputElement)) e.preventDefault();
});
// The history has one entry, this page: "back" (a swipe, a mouse button) stays here.
history.pushState(null, '', location.href);
window.addEventListener('popstate', () => history.pushState(null, '', location.href));

connect();
