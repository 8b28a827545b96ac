// The live view of the doors (`doors`): the door table redrawn as sensors change until a key is pressed. On a dumb
// terminal (no escape codes) it prints the table once, then one line per door that changed.
import type { ConsoleBackend, DoorView } from './backend.ts';
import { renderDoorTable } from './render.ts';
import type { Terminal } from './terminal.ts';

export const LIVE_REFRESH_MS = 250;

type DoorKey = [number, string, boolean | null, string, boolean];

export class LiveDoorView {
  private timer: NodeJS.Timeout | undefined;
  private last = '';

  constructor(
    private readonly terminal: Terminal,
    private readonly backend: Pick<ConsoleBackend, 'doors'>,
    private readonly now: () => number,
  ) {}

  /** Draws the doors now and at every refresh; the terminal reads single keys (any key ends the view). */
  start(): void {
    this.last = '';
    if (this.terminal.dumb) this.terminal.print('doors live view: one line per change; press any key to stop\n');
    this.render();
    this.timer = setInterval(() => this.render(), LIVE_REFRESH_MS);
    this.terminal.readKeys();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private render(): void {
    const doors = this.backend.doors();
    const now = this.now();
    const key = JSON.stringify(doors.map((d): DoorKey => [d.door, d.state, d.itemPresent, d.service, d.flapping ?? false]));
    if (this.terminal.dumb) {
      const prev = this.last ? (JSON.parse(this.last) as DoorKey[]) : [];
      if (key === this.last) return;
      const time = new Date(now).toISOString().slice(11, 19);
      if (prev.length === 0) {
        this.terminal.print(`${renderDoorTable(doors, now)}\n`);
      } else {
        for (const d of doors) {
          const old = prev.find((x) => x[0] === d.door);
          if (!old || old[1] !== d.state || old[2] !== d.itemPresent || old[3] !== d.service || old[4] !== (d.flapping ?? false)) {
            this.terminal.print(`${time} ${describeDoor(d)}\n`);
          }
        }
      }
      this.last = key;
      return;
    }
    const e = (s: string): string => this.terminal.esc(s);
    this.terminal.print(`${e('[H')}${e('[2J')}doors (live, press any key to stop)   ${new Date(now).toISOString().slice(11, 19)}\n${renderDoorTable(doors, now)}\n`);
    this.last = key;
  }
}

function describeDoor(d: DoorView): string {
  return `door ${d.door} ${d.state}, item ${d.itemPresent === null ? '-' : d.itemPresent ? 'yes' : 'no'}, ${d.service}${d.flapping ? ', sensor flapping' : ''}`;
}
