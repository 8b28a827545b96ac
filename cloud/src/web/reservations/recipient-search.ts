/** The recipient picker's search: the address book's contacts (the API's search) and departments (by name). */
import { z } from 'zod';
import { normalizeText } from '../../domain/contact-index.ts';
import type { ConsoleApi } from '../console-api.ts';
import { html, type SafeHtml } from '../html.ts';
import { mayCall } from '../menu.ts';
import type { Viewer } from '../shell.ts';
import { parseRecipient, pickerResults, PickerContacts, PickerDepartments, RESERVATIONS_PATH, type PickerContact, type PickerDepartment } from './reservations-render.ts';

const PICKER_LIMIT = 10;

/** Matches of the address book for the picker: contacts by the API's search, departments by name. */
export async function searchRecipients(api: ConsoleApi, p: Viewer['principal'], q: string): Promise<{ contacts: PickerContact[]; departments: PickerDepartment[] }> {
  const text = q.trim();
  if (text === '') return { contacts: [], departments: [] };
  const [{ contacts }, departments] = await Promise.all([
    api.get(PickerContacts, `/contacts?limit=${PICKER_LIMIT}&q=${encodeURIComponent(text)}`),
    mayCall(p, 'GET', '/api/v1/departments') ? api.get(PickerDepartments, '/departments').then((d) => d.departments) : Promise.resolve([]),
  ]);
  const needle = normalizeText(text);
  return { contacts: contacts.filter((c) => !c.private), departments: departments.filter((d) => normalizeText(d.name).includes(needle)).slice(0, PICKER_LIMIT) };
}

/** Whether the viewer may search the address book for a recipient (else they type a contact's ID). */
export function maySearch(v: Viewer): boolean {
  return mayCall(v.principal, 'GET', `${RESERVATIONS_PATH}/recipients`);
}

/** The matches shown for the form's search, the chosen recipient kept even when the search no longer finds it. */
export async function pickerFor(api: ConsoleApi, v: Viewer, q: string, chosen: string | undefined): Promise<SafeHtml> {
  if (!maySearch(v)) return html``;
  const found = await searchRecipients(api, v.principal, q);
  const ref = parseRecipient(chosen);
  if (ref?.type === 'contact' && !found.contacts.some((c) => c.id === ref.id)) {
    const one = await api.raw('GET', `/contacts/${encodeURIComponent(ref.id)}`);
    const c = one.status === 200 ? z.object({ contact: PickerContacts.shape.contacts.element }).safeParse(JSON.parse(one.body)) : undefined;
    if (c?.success) found.contacts.unshift(c.data.contact);
  }
  return pickerResults(v.lang, found.contacts, found.departments, chosen, q.trim() !== '');
}
