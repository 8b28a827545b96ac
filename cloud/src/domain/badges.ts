/**
 * One badge number signs one person in at a kiosk: the badge reader cannot tell two holders apart. Within an
 * enterprise a badge number is either one contact's (a recipient's badge, kept on the contact record) or one live staff
 * badge's (a staff credential, kept sealed); never both, never two contacts'.
 *
 * `BadgeRegistry` answers "who holds this badge already" for one enterprise, read once and then kept current by the
 * caller (`claim`), so an import of many rows reads the address book once. Staff badges are compared by their keyed
 * lookup hash (or, for one issued by an older release, its own scrypt hash): the badge number is never compared in
 * clear against them.
 */
import { CodeMatcher, isSealed } from './codes.ts';
import type { DomainCore } from './core.ts';
import type { StaffCredential } from './model.ts';

export class BadgeRegistry {
  /** Badge number -> who holds it: a contact's id (or, for a row of an import not yet a contact, none) and how to say it. */
  private readonly contacts = new Map<string, { contactId: string | undefined; said: string }>();
  private readonly staff: StaffCredential[];
  private readonly staffLookups: Map<string, string>;

  private constructor(
    private readonly core: DomainCore,
    enterpriseId: string,
  ) {
    for (const c of core.store.list('contacts')) if (c.enterpriseId === enterpriseId && c.badgeId !== undefined) this.contacts.set(c.badgeId, { contactId: c.id, said: `contact ${c.id}` });
    const now = core.now();
    this.staff = core.store.list('staffCredentials').filter(
      (sc) =>
        sc.kind === 'badge' &&
        sc.revokedAt === undefined &&
        (sc.expiresAt === undefined || sc.expiresAt > now) &&
        (core.store.get('users', sc.subjectId) ?? core.store.get('carriers', sc.subjectId))?.enterpriseId === enterpriseId,
    );
    this.staffLookups = new Map(this.staff.flatMap((sc) => (isSealed(sc.code) ? [[sc.code.lookup, sc.id] as const] : [])));
  }

  /** The registry of one enterprise's badges as stored now. */
  static of(core: DomainCore, enterpriseId: string): BadgeRegistry {
    return new BadgeRegistry(core, enterpriseId);
  }

  /** Who else holds `badge` (a sentence naming them), or undefined when it is free for `contactId`. */
  async holder(badge: string, contactId: string | undefined): Promise<string | undefined> {
    const other = this.contacts.get(badge);
    if (other !== undefined && (other.contactId === undefined || other.contactId !== contactId)) return other.said;
    const sealed = this.staffLookups.get(this.core.vault.lookup('badge', badge));
    if (sealed !== undefined) return `a staff badge (credential ${sealed})`;
    const legacy = this.staff.filter((sc) => !isSealed(sc.code));
    if (legacy.length > 0) {
      const matcher = new CodeMatcher(this.core.vault, 'badge', badge);
      for (const sc of legacy) if (await matcher.matches(sc.code)) return `a staff badge (credential ${sc.id})`;
    }
    return undefined;
  }

  /**
   * Records that `badge` is now held: by the contact `contactId` (no longer holding `previous`), or by a contact still
   * to be made, said as `said` ("line 4").
   */
  claim(holder: { contactId: string; previous: string | undefined } | { said: string }, badge: string): void {
    if ('said' in holder) return void this.contacts.set(badge, { contactId: undefined, said: holder.said });
    if (holder.previous !== undefined && this.contacts.get(holder.previous)?.contactId === holder.contactId) this.contacts.delete(holder.previous);
    this.contacts.set(badge, { contactId: holder.contactId, said: `contact ${holder.contactId}` });
  }

  /** The contact of the enterprise holding `badge`, if any (what a staff badge must not be). */
  contactHolding(badge: string): string | undefined {
    return this.contacts.get(badge)?.contactId;
  }
}
