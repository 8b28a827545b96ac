/**
 * What a locker view says about its contents beyond the domain's summary, for whoever may see contents: the name of
 * the person or department it is for, and where its latest e-mail notice stands (sent, waiting, failed, not sent).
 * Built over the views of one answer at once: one pass over the outbox, whatever the number of lockers.
 */
import type { LockerView } from '../../domain/service.ts';
import type { Store } from '../../store/store.ts';
import type { MailKind, MailStatus } from '../../mail/model.ts';

export interface ContentsDetail {
  recipientName?: string;
  notice?: { kind: MailKind; status: MailStatus; at: number };
}

/** The display name of a recipient: a contact's first and last name, a department's name. */
export function recipientName(store: Pick<Store, 'get'>, r: { type: 'contact' | 'department'; id: string }): string | undefined {
  if (r.type === 'department') return store.get('departments', r.id)?.name;
  const c = store.get('contacts', r.id);
  return c ? [c.firstName, c.lastName].filter((x) => x !== '').join(' ') : undefined;
}

/** The views with their contents' detail added (views without contents are left as they are). */
export function withContentsDetail(store: Pick<Store, 'get' | 'list'>, views: LockerView[]): Array<LockerView & { contents?: ContentsDetail }> {
  const wanted = new Set(views.flatMap((v) => (v.contents ? [v.contents.reservationId] : [])));
  if (wanted.size === 0) return views;
  const latest = new Map<string, { kind: MailKind; status: MailStatus; at: number }>();
  for (const m of store.list('mailOutbox')) {
    if (m.reservationId === undefined || !wanted.has(m.reservationId)) continue;
    const cur = latest.get(m.reservationId);
    if (!cur || m.createdAt >= cur.at) latest.set(m.reservationId, { kind: m.kind, status: m.status, at: m.sentAt ?? m.createdAt });
  }
  return views.map((v) => {
    if (!v.contents) return v;
    const name = recipientName(store, v.contents.recipient);
    const notice = latest.get(v.contents.reservationId);
    return { ...v, contents: { ...v.contents, ...(name !== undefined ? { recipientName: name } : {}), ...(notice ? { notice } : {}) } };
  });
}
