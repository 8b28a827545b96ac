import type { LineReader, SwitchInput } from '../hal/inputs.ts';
import { silentLogger, type Logger } from '../util/logger.ts';

/** The engine commands the kiosk's input devices drive (a `KioskEngine` is one). */
export interface InputTarget {
  scan(code: string): Promise<void>;
  badge(id: string): Promise<void>;
  headphones(plugged: boolean): Promise<void>;
}

export interface KioskInputs {
  scanner?: LineReader;
  badgeReader?: LineReader;
  headphoneDetect?: SwitchInput;
  logger?: Logger;
}

/**
 * Connects the barcode/QR scanner, the badge reader and the headphone-detect switch to the engine. Device errors are
 * logged, never thrown (a pulled cable must not take the controller down). Returns the function that detaches them.
 */
export function attachKioskInputs(engine: InputTarget, inputs: KioskInputs): () => void {
  const log = (inputs.logger ?? silentLogger).child({ module: 'kiosk-inputs' });
  const undo: Array<() => void> = [];
  const reader = (r: LineReader | undefined, fn: (line: string) => Promise<void>): void => {
    if (!r) return;
    const onLine = (line: string): void => void fn(line);
    const onError = (err: Error): void => log.warn({ err, kind: r.kind }, 'kiosk reader error');
    r.on('line', onLine);
    r.on('error', onError);
    undo.push(() => {
      r.off('line', onLine);
      r.off('error', onError);
    });
  };
  reader(inputs.scanner, (l) => engine.scan(l));
  reader(inputs.badgeReader, (l) => engine.badge(l));
  const hp = inputs.headphoneDetect;
  if (hp) {
    const onChange = (plugged: boolean): void => void engine.headphones(plugged);
    hp.on('change', onChange);
    undo.push(() => hp.off('change', onChange));
    if (hp.value) void engine.headphones(true);
  }
  return () => {
    for (const u of undo.splice(0)) u();
  };
}
