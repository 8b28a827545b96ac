// A text-screen kiosk for trying every flow without hardware (`portier-sim kiosk`, `make demo`): the simulator's
// terminal panel (display, keypad, touch, scanner, badge reader, headphone jack on a terminal) attached to a real
// kiosk engine through the firmware's HAL ports, as a kiosk's hardware is attached on a controller.
import type { Logger } from 'pino';
import { attachKioskInputs, attachKioskPanel, type InputTarget, type PanelTarget } from '@portier/firmware';
import { TerminalPanel, type TerminalPanelOptions } from '@portier/sim';

/** What the terminal kiosk needs of the engine (a `KioskEngine` is one). */
export type TerminalEngine = PanelTarget & InputTarget & { settled(): Promise<void> };

export interface TerminalKioskOptions extends TerminalPanelOptions {
  engine: TerminalEngine;
  /** Where refused commands and device errors are logged. */
  logger?: Logger;
}

/**
 * Runs the terminal kiosk over `engine`: keys from `input` (a TTY in raw mode, or any stream), the screen drawn on
 * `output`. Resolves when the input ends, on Ctrl-C / Ctrl-D, or when `signal` aborts, once the engine handled every
 * key it was given. The engine is left running: its owner stops it.
 */
export function runTerminalKiosk(opts: TerminalKioskOptions): Promise<void> {
  const { engine, logger, ...panelOptions } = opts;
  const panel = new TerminalPanel(panelOptions);
  const opened = panel.open();
  const log = logger ? { logger } : {};
  const detach = [
    attachKioskPanel(engine, { display: panel, keypad: panel.keypad, touch: panel.touch, ...log }),
    attachKioskInputs(engine, { scanner: panel.scanner, badgeReader: panel.badgeReader, headphoneDetect: panel.headphones, ...log }),
  ];
  return opened
    .then(() => panel.ended)
    .then(async () => {
      for (const d of detach) d();
      await engine.settled();
    });
}
