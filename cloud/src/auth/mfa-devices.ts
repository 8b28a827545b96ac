/**
 * Remembered devices: "do not challenge me on this device again" for the enterprise's number of days. The browser (or
 * an API client) keeps a token `<id>.<expiresAt>.<mac>`, the MAC keyed by the cloud's secrets key over the user, the id
 * and the expiry; the store keeps the device's id, owner, expiry and whether it was revoked, never the token. A token is
 * honoured only for its own user, before its expiry, while its record stands unrevoked: its user (or an administrator's
 * reset of the user's second factors, or a new password) revokes it at once on every instance.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { MfaDevice } from './mfa-model.ts';
import type { Store } from '../store/store.ts';

const DAY_MS = 24 * 3600_000;
const TOKEN_RE = /^([A-Za-z0-9_-]{16})\.(\d{13})\.([A-Za-z0-9_-]{43})$/;
/** A device's last use is written at most this often (a sign-in is not a write each time). */
const TOUCH_EVERY_MS = 3600_000;

/** What a user is shown of a remembered device. */
export type DeviceView = Pick<MfaDevice, 'id' | 'label' | 'createdAt' | 'expiresAt' | 'lastUsedAt'>;

export class MfaDevices {
  constructor(
    private readonly o: {
      store: Store;
      /** The key of the tokens' MAC (`CodeVault.macKey`). */
      key: Buffer;
      now: () => number;
    },
  ) {}

  /** Remembers a device of `user` for `days`: the token for it to keep, and when it stops working. */
  async remember(user: { id: string; enterpriseId: string }, days: number, label: string): Promise<{ token: string; expiresAt: number }> {
    const id = randomBytes(12).toString('base64url');
    const now = this.o.now();
    const expiresAt = now + days * DAY_MS;
    const rec: MfaDevice = { id, userId: user.id, enterpriseId: user.enterpriseId, label: label.slice(0, 120), createdAt: now, expiresAt };
    await this.o.store.commit({ put: [{ c: 'mfaDevices', key: id, value: rec }], del: this.#expired(user.id) });
    return { token: `${id}.${expiresAt}.${this.#mac(user.id, id, expiresAt)}`, expiresAt };
  }

  /** Whether `token` spares `userId` the challenge now. */
  async honours(userId: string, token: string | undefined): Promise<boolean> {
    const m = TOKEN_RE.exec(token ?? '');
    if (!m) return false;
    const [, id, exp, mac] = m as unknown as [string, string, string, string];
    const want = Buffer.from(this.#mac(userId, id, Number(exp)), 'utf8');
    if (!timingSafeEqual(want, Buffer.from(mac, 'utf8'))) return false;
    const rec = this.o.store.get('mfaDevices', id);
    const now = this.o.now();
    if (!rec || rec.userId !== userId || rec.revokedAt !== undefined || rec.expiresAt !== Number(exp) || rec.expiresAt <= now) return false;
    if (rec.lastUsedAt === undefined || now - rec.lastUsedAt >= TOUCH_EVERY_MS) {
      await this.o.store.commit({ put: [{ c: 'mfaDevices', key: id, value: { ...rec, lastUsedAt: now } }] });
    }
    return true;
  }

  /** The user's devices that still spare them the challenge. */
  list(userId: string): DeviceView[] {
    const now = this.o.now();
    return this.o.store
      .list('mfaDevices')
      .filter((d) => d.userId === userId && d.revokedAt === undefined && d.expiresAt > now)
      .sort((a, b) => a.createdAt - b.createdAt)
      .map(({ id, label, createdAt, expiresAt, lastUsedAt }) => ({ id, label, createdAt, expiresAt, ...(lastUsedAt !== undefined ? { lastUsedAt } : {}) }));
  }

  /** Revokes one device of the user; answers whether it was live. */
  async revoke(userId: string, id: string): Promise<boolean> {
    const rec = this.o.store.get('mfaDevices', id);
    if (!rec || rec.userId !== userId || rec.revokedAt !== undefined || rec.expiresAt <= this.o.now()) return false;
    await this.o.store.commit({ put: [{ c: 'mfaDevices', key: id, value: { ...rec, revokedAt: this.o.now() } }] });
    return true;
  }

  /** The changes that forget every device of the user (with a reset of their factors, a new password, a deletion). */
  forgetAll(userId: string): Array<{ c: 'mfaDevices'; key: string }> {
    return this.o.store
      .list('mfaDevices')
      .filter((d) => d.userId === userId)
      .map((d) => ({ c: 'mfaDevices' as const, key: d.id }));
  }

  /** Deletions of the user's devices that expired or were revoked over a day ago, so the collection does not grow. */
  #expired(userId: string): Array<{ c: 'mfaDevices'; key: string }> {
    const before = this.o.now() - DAY_MS;
    return this.o.store
      .list('mfaDevices')
      .filter((d) => d.userId === userId && (d.expiresAt < before || (d.revokedAt !== undefined && d.revokedAt < before)))
      .map((d) => ({ c: 'mfaDevices' as const, key: d.id }));
  }

  #mac(userId: string, id: string, expiresAt: number): string {
    return createHmac('sha256', this.o.key).update(`${userId}\n${id}\n${expiresAt}`).digest('base64url');
  }
}
