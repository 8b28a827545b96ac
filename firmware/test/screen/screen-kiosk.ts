// The kiosk engine over the kiosk tests' fakes and fixture, its touch screen served on a loopback port, and one
// Chromium page on that screen: what the screen's browser tests touch, wait for and check. Only the engine's timers
// run on a sinon clock, handed to it and never installed: the screen server, the test's waits and the browser's
// driver keep the process's real timers.
import type { Page } from 'playwright-core';
import sinon from 'sinon';
import { expectCondition } from '@portier/sim';
import type { DesiredState } from '@portier/protocol';
import type { KioskBranding } from '../../src/branding/index.ts';
import type { Lang } from '../../src/i18n/index.ts';
import { DesiredStateCredentials } from '../../src/kiosk/desired-credentials.ts';
import { KioskEngine } from '../../src/kiosk/engine.ts';
import type { KeypadKey } from '../../src/kiosk/view.ts';
import { startKioskScreen, type KioskScreen } from '../../src/screen/index.ts';
import { axeViolations } from '../../../scripts/test/contracts/browser.ts';
import { CREDENTIAL_KEY, FakeDoors, FakeState, RecordingSink, T0 } from '../kiosk/helpers.ts';
import { LAYOUTS, pageProblems } from './page-checks.ts';

/** How long a touch may take to reach the engine and come back drawn, on a busy two-core machine. */
const WAIT_MS = 5000;
/**
 * A touch is a real mouse click at the control's centre, made once the page drew the engine's last view. The driver's
 * own wait for a still page (two animation frames per click) is skipped: the page is still by then, and what could
 * cover a control is what the layout check finds.
 */
const CLICK = { timeout: WAIT_MS, force: true } as const;

/**
 * A sinon clock installed on an object of its own, never on the process's globals: the engine is handed its timers
 * and its `now`, and everything else keeps real time.
 */
function engineClock(): sinon.SinonFakeTimers {
  const own = { Promise, Date, setTimeout, clearTimeout, setInterval, clearInterval };
  const config = { now: T0, toFake: ['setTimeout', 'clearTimeout', 'Date'], global: own };
  return sinon.useFakeTimers(config as Parameters<typeof sinon.useFakeTimers>[0]);
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** One page drawn and checked: its engine page id, in which language, and what it was checking. */
export interface CheckedPage {
  page: string;
  lang: string;
  label: string;
  /** What the checks found (empty: passed). */
  problems: string[];
}

export interface ScreenKioskOptions {
  /** The language of a new session (`kiosk.language`). */
  lang: Lang;
  /** The desired state at start; none: the kiosk waits for one (out of order). */
  state?: DesiredState;
}

/**
 * A kiosk and its screen in the browser. `views` counts the engine's views since the screen attached; the page tells
 * which it drew last (`portier:drawn`), so a wait for "the page shows what the engine shows" is exact.
 */
export class ScreenKiosk {
  readonly clock = engineClock();
  readonly doors = new FakeDoors();
  readonly state: FakeState;
  readonly sink = new RecordingSink();
  readonly engine: KioskEngine;
  /** Every check made, in order. */
  readonly checked: CheckedPage[] = [];
  /** The options drawn on a checked page, and the ones touched. */
  readonly drawnOptions = new Set<string>();
  readonly touchedOptions = new Set<string>();
  private views = 0;
  /** The index in LAYOUTS of the page's size now (the page opens at the first). */
  private layoutAt = 0;
  private attachedAt = 0;
  private screens: KioskScreen[] = [];

  private constructor(
    private readonly page: Page,
    o: ScreenKioskOptions,
  ) {
    this.state = new FakeState(o.state);
    const clock = this.clock;
    this.engine = new KioskEngine({
      doors: this.doors,
      state: this.state,
      sink: this.sink,
      credentials: new DesiredStateCredentials(this.state, CREDENTIAL_KEY),
      clock: { now: () => clock.now },
      timers: clock,
      defaultLang: o.lang,
    });
    this.engine.on('screen', () => this.views++);
  }

  /** Starts the kiosk and its screen (the page is blanked in audio mode when `blankInAudioMode`) and shows it on `page`. */
  static async start(t: Teardown, page: Page, o: ScreenKioskOptions): Promise<ScreenKiosk> {
    const k = new ScreenKiosk(page, o);
    k.engine.start();
    t.teardown(async () => {
      for (const s of k.screens) await s.close();
      await k.engine.stop();
      if (k.sink.invalid.length) throw new Error(`events that break the protocol schema: ${JSON.stringify(k.sink.invalid)}`);
    });
    await k.showScreen(false);
    return k;
  }

  /**
   * Serves the screen (again, with `blankInAudioMode` and the bank's branding as given) and opens it in the page, as
   * the kiosk browser does after a restart: the page draws the session where the engine holds it.
   */
  async showScreen(blankInAudioMode: boolean, branding?: KioskBranding): Promise<void> {
    await this.engine.settled();
    const source = branding ? { current: () => branding, on: () => undefined, off: () => undefined } : undefined;
    const screen = await startKioskScreen({ engine: this.engine, config: { port: 0, host: '127.0.0.1', blankInAudioMode }, ...(source ? { branding: source } : {}) });
    this.screens.push(screen);
    this.attachedAt = this.views;
    // The page's clock is the engine's (both are the controller's on a kiosk): the throttling countdown reads it.
    await this.page.clock.setFixedTime(this.clock.now);
    await this.page.goto(screen.url);
    await this.drawn();
  }

  /** The view seq the screen gave the engine's last view (its first view, on attaching, is 1). */
  private get seq(): number {
    return this.views - this.attachedAt + 1;
  }

  /** Waits until the engine ran every command and the page drew its last view. */
  async drawn(): Promise<void> {
    await this.engine.settled();
    // Waits on the page's own event, bounded in the page: no polling of the page from here.
    const drawn = (await this.page.evaluate(`new Promise((resolve) => {
      const seq = ${this.seq};
      if ((window.portierDrawn ?? 0) >= seq) return resolve(true);
      const timer = setTimeout(() => resolve(false), ${WAIT_MS});
      document.addEventListener('portier:drawn', function on(e) {
        if (e.detail < seq) return;
        clearTimeout(timer);
        document.removeEventListener('portier:drawn', on);
        resolve(true);
      });
    })`)) as boolean;
    if (!drawn) throw new Error(`the page did not draw view ${this.seq} within ${WAIT_MS} ms (page ${await this.pageId()})`);
  }

  /** Touches what `selector` finds and waits until the engine's answer is drawn. */
  async touch(selector: string): Promise<void> {
    const before = this.views;
    await this.page.click(selector, CLICK);
    await expectCondition(() => this.views > before, WAIT_MS, `a new view after touching ${selector}`);
    await this.drawn();
  }

  async touchOption(id: string): Promise<void> {
    this.touchedOptions.add(id);
    await this.touch(`[data-option="${id}"]`);
  }

  /** Touches the first (or the last) option whose id starts with `prefix`: the smallest or largest size offered. */
  async touchOptionOf(prefix: string, which: 'first' | 'last' = 'first'): Promise<string> {
    const ids = (await this.page.evaluate(`[...document.querySelectorAll('[data-option^="${prefix}"]')].map((e) => e.dataset.option)`)) as string[];
    const id = which === 'first' ? ids[0] : ids.at(-1);
    if (!id) throw new Error(`no option ${prefix}* on the page`);
    await this.touchOption(id);
    return id;
  }

  async touchKey(key: KeypadKey): Promise<void> {
    await this.touch(`.keypad [data-key="${key}"]`);
  }

  /**
   * Touches each digit of `code` on the on-screen keypad, then Enter, as fast as a person who knows it (the page sends
   * the keys in order), and waits for the engine's answer to all of them: a view for each digit, one for Enter.
   */
  async typeCode(code: string): Promise<void> {
    const before = this.views;
    for (const d of code) await this.page.click(`.keypad [data-key="${d}"]`, CLICK);
    await this.page.click('.keypad [data-key="enter"]', CLICK);
    await expectCondition(() => this.views > before + code.length, WAIT_MS, `the views of code ${code} and Enter`);
    await this.drawn();
  }

  /** Types `code` and Enter on the column's own keypad (a device beside the screen), drawn. */
  async keypadCode(code: string): Promise<void> {
    await this.device(async () => {
      for (const d of code) await this.engine.keypad(d as KeypadKey);
      await this.engine.keypad('enter');
    });
  }

  /** Touches each character of `text` on the on-screen keyboard (the page keeps it until Enter), then Enter. */
  async typeText(text: string): Promise<void> {
    const keyboard = this.page.locator('.keyboard');
    for (const ch of text) await keyboard.getByRole('button', { name: ch, exact: true }).click(CLICK);
    await this.touch('.keyboard .key-enter');
  }

  /** What a device or a person at the lockers does (a scan, a door shut, headphones plugged in), drawn. */
  async device(act: () => unknown): Promise<void> {
    const before = this.views;
    await act();
    await this.engine.settled();
    await expectCondition(() => this.views > before, WAIT_MS, 'a new view after the device input');
    await this.drawn();
  }

  /** Time passes for the kiosk (its timers fire) and for the page's clock. */
  async tick(ms: number): Promise<void> {
    await this.clock.tickAsync(ms);
    await this.engine.settled();
    await this.page.clock.setFixedTime(this.clock.now);
    await this.drawn();
  }

  /** Whether what `selector` finds is drawn now, with text (an error, a warning, the countdown, a notice). */
  async shows(selector: string): Promise<boolean> {
    const e = this.page.locator(selector).first();
    return (await e.isVisible()) && (await e.innerText()).trim() !== '';
  }

  /** The engine's page id the screen shows now. */
  pageId(): Promise<string | null> {
    return this.page.getAttribute('body', 'data-page');
  }

  /**
   * Checks the page drawn now: axe-core finds no WCAG 2.x A/AA violation, and at each layout (the one page resized)
   * every touch target is at least 44x44 CSS px and nothing is cut off or overlaps. Returns what was found.
   */
  async check(label: string): Promise<CheckedPage> {
    const drawn = (await this.page.evaluate(`({ page: document.body.dataset.page ?? '(none)', lang: document.documentElement.lang, options: [...document.querySelectorAll('[data-option]')].map((e) => e.dataset.option) })`)) as { page: string; lang: string; options: string[] };
    const problems = (await axeViolations(this.page)).map((v) => `axe: ${v}`);
    // From the size the page has now through the other two: the next touches happen at the last one.
    for (let i = 0; i < LAYOUTS.length; i++) {
      const layout = LAYOUTS[(this.layoutAt + i) % LAYOUTS.length]!;
      if (i > 0) await this.page.setViewportSize({ width: layout.width, height: layout.height });
      for (const p of await pageProblems(this.page)) problems.push(`${layout.name}: ${p}`);
    }
    this.layoutAt = (this.layoutAt + LAYOUTS.length - 1) % LAYOUTS.length;
    for (const o of drawn.options) this.drawnOptions.add(o);
    const done = { page: drawn.page, lang: drawn.lang, label, problems };
    this.checked.push(done);
    return done;
  }

  /** A screenshot of the page drawn now at each layout, into `dir` as `<name>-<width>x<height>.png`. */
  async screenshots(dir: string, name: string): Promise<void> {
    for (const layout of LAYOUTS) {
      await this.page.setViewportSize({ width: layout.width, height: layout.height });
      await this.page.screenshot({ path: `${dir}/${name}-${layout.width}x${layout.height}.png` });
    }
  }
}

/** Makes the page note the seq of each view it draws, before its own script runs. */
export async function watchDrawnViews(page: Page): Promise<void> {
  await page.addInitScript(`document.addEventListener('portier:drawn', (e) => { window.portierDrawn = Math.max(window.portierDrawn ?? 0, e.detail); });`);
}
