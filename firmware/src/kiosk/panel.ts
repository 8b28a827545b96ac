// Glue from the kiosk display, keypad and touch ports of the HAL to the engine, as `inputs.ts` is for the scanner,
// the badge reader and the headphone switch. The display is given text in the session language, so a screen (a
// browser page, a terminal, a simulator) draws pages without knowing the message catalogues.
import type { DisplayView, KioskDisplay } from '../hal/display.ts';
import type { Keypad, KeypadKey as HalKeypadKey } from '../hal/keypad.ts';
import type { TouchEvent, TouchInput } from '../hal/touch.ts';
import { silentLogger, type Logger } from '../util/logger.ts';
import type { KeypadKey, Lang, MessageRef, ScreenView } from './view.ts';

/** The engine's key set and the HAL keypad's are one set: this fails to compile when one gains a key. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const sameKeys: Same<KeypadKey, HalKeypadKey> = true;
void sameKeys;

/** What the panel drives and draws of the engine (a `KioskEngine` is one). */
export interface PanelTarget {
  on(event: 'screen', listener: (view: ScreenView) => void): unknown;
  on(event: 'notice', listener: (n: { message: MessageRef; lang: Lang }) => void): unknown;
  off(event: 'screen', listener: (view: ScreenView) => void): unknown;
  off(event: 'notice', listener: (n: { message: MessageRef; lang: Lang }) => void): unknown;
  readonly screen: ScreenView;
  translate(ref: MessageRef, lang?: Lang): string;
  keypad(key: KeypadKey): Promise<void>;
  select(optionId: string): Promise<void>;
  back(): Promise<void>;
  signOut(): Promise<void>;
  enterText(text: string): Promise<void>;
}

export interface KioskPanel {
  display?: KioskDisplay;
  keypad?: Keypad;
  touch?: TouchInput;
  logger?: Logger;
}

/** The engine's view model as the display draws it: every message rendered in the view's language. */
export function displayViewOf(view: ScreenView, translate: (ref: MessageRef, lang: Lang) => string): DisplayView {
  const tr = (ref: MessageRef): string => translate(ref, view.lang);
  return {
    page: view.page,
    change: view.change,
    lang: view.lang,
    audio: view.audio,
    title: tr(view.title),
    lines: view.lines.map(tr),
    ...(view.error ? { error: tr(view.error) } : {}),
    ...(view.warning ? { warning: tr(view.warning) } : {}),
    ...(view.feedback ? { feedback: tr(view.feedback) } : {}),
    options: view.options.map((o) => ({ id: o.id, label: tr(o.label), ...(o.key ? { key: o.key } : {}) })),
    ...(view.input
      ? {
          input: {
            kind: view.input.kind,
            masked: view.input.masked,
            length: view.input.length,
            ...(view.input.value !== undefined && !view.input.masked ? { value: view.input.value } : {}),
          },
        }
      : {}),
    // The state in words of the session language: a display shows what a person reads, not the raw value.
    lockers: view.lockers.map((l) => ({ locker: l.locker, state: tr(l.stateLabel), where: tr(l.where) })),
    ...(view.role ? { role: view.role } : {}),
    ...(view.waitUntil !== undefined ? { waitUntil: view.waitUntil } : {}),
  };
}

/**
 * Connects the display (the page shown now, then every page and notice), the keypad and the touch layer to the
 * engine. Device errors and refused commands are logged, never thrown. Returns the function that detaches them.
 */
export function attachKioskPanel(engine: PanelTarget, panel: KioskPanel): () => void {
  const log = (panel.logger ?? silentLogger).child({ module: 'kiosk-panel' });
  const undo: Array<() => void> = [];
  const run = (what: string, p: Promise<void>): void => {
    p.catch((err: unknown) => log.warn({ err, what }, 'kiosk panel command failed'));
  };
  const { display, keypad, touch } = panel;
  if (display) {
    const tr = (ref: MessageRef, lang: Lang): string => engine.translate(ref, lang);
    const onScreen = (view: ScreenView): void => display.show(displayViewOf(view, tr));
    const onNotice = (n: { message: MessageRef; lang: Lang }): void => display.notice(tr(n.message, n.lang), n.lang);
    engine.on('screen', onScreen);
    engine.on('notice', onNotice);
    undo.push(() => {
      engine.off('screen', onScreen);
      engine.off('notice', onNotice);
    });
    display.show(displayViewOf(engine.screen, tr));
  }
  if (keypad) {
    const onKey = (key: KeypadKey): void => run(`key ${key}`, engine.keypad(key));
    const onError = (err: Error): void => log.warn({ err }, 'kiosk keypad error');
    keypad.on('key', onKey);
    keypad.on('error', onError);
    undo.push(() => {
      keypad.off('key', onKey);
      keypad.off('error', onError);
    });
  }
  if (touch) {
    const onTouch = (e: TouchEvent): void => {
      if (e.kind === 'option') run('select', engine.select(e.id));
      else if (e.kind === 'back') run('back', engine.back());
      else if (e.kind === 'sign-out') run('sign-out', engine.signOut());
      else run('text', engine.enterText(e.text));
    };
    const onError = (err: Error): void => log.warn({ err }, 'kiosk touch error');
    touch.on('touch', onTouch);
    touch.on('error', onError);
    undo.push(() => {
      touch.off('touch', onTouch);
      touch.off('error', onError);
    });
  }
  return () => {
    for (const u of undo.splice(0)) u();
  };
}
