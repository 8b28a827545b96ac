/**
 * Requests the server makes to itself (the console's calls of the API, `inject`) get their answer's body handed over
 * as the string the route serialized, not through the emulated socket: that path encodes and decodes the body
 * several times, which costs more than the whole page for a bank of a thousand lockers. Only the body's way back
 * changes; the request goes through the router, the access hook, validation and the handler like any other.
 */
import { randomBytes } from 'node:crypto';
import type { App } from './app.ts';

export const IN_PROCESS_HEADER = 'x-portier-in-process';

export class InProcessReplies {
  /** Known to this process only: a request from outside cannot have its body taken away. */
  readonly #key = randomBytes(18).toString('base64url');
  readonly #bodies = new Map<string, string>();
  #seq = 0;

  /** The header of a new in-process request, and the ticket its body is collected with. */
  ticket(): { header: string; ticket: string } {
    const ticket = String(++this.#seq);
    return { header: `${this.#key}.${ticket}`, ticket };
  }

  /** The body the route sent for `ticket` (once). */
  take(ticket: string): string | undefined {
    const body = this.#bodies.get(ticket);
    this.#bodies.delete(ticket);
    return body;
  }

  /** Installs the hook that keeps an in-process request's body aside (on the root instance: every route). */
  install(app: App): void {
    app.addHook('onSend', async (req, _reply, payload) => {
      const h = req.headers[IN_PROCESS_HEADER];
      if (typeof h !== 'string' || typeof payload !== 'string') return payload;
      const dot = h.indexOf('.');
      if (dot < 0 || h.slice(0, dot) !== this.#key) return payload;
      this.#bodies.set(h.slice(dot + 1), payload);
      return '';
    });
  }
}
