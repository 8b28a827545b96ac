/**
 * The departments screen's pieces, pure rendering of what the API answered: the list, and the department form (its
 * name; its people, each with a "member" box and a "key contact" choice; the address book's search whose matches
 * join the same choices, as one types or with the Find button).
 */
import type { Department } from '../../domain/model.ts';
import type { PageLanguage } from '../../http/pages/i18n.ts';
import { errorSummary, type FormError } from '../form-errors.ts';
import { fieldParts, inputField } from '../form-fields.ts';
import { flag, html, type SafeHtml } from '../html.ts';
import { csrfField, type Viewer } from '../shell.ts';
import { SHELL_WORDS } from '../shell-words.ts';
import { defaultSave } from '../organisation/org-forms.ts';
import { DEPARTMENTS_WORDS } from './departments-words.ts';
import { SETUP_PATHS } from '../settings/setup-screens.ts';

export const DEPARTMENTS_PATH = SETUP_PATHS.departments;
export const departmentPath = (id: string): string => `${DEPARTMENTS_PATH}/${encodeURIComponent(id)}`;

/** A contact as the form lists it. */
export interface Person {
  id: string;
  name: string;
  detail?: string | undefined;
}

/** The form's values as typed. */
export interface DepartmentValues {
  name: string;
  members: string[];
  /** '' for none. */
  keyContact: string;
  q: string;
}

export function departmentsTable(lang: PageLanguage, departments: readonly Department[], names: ReadonlyMap<string, string>): SafeHtml {
  const w = DEPARTMENTS_WORDS[lang];
  if (departments.length === 0) return html`<p>${w.none}</p>`;
  const rows = departments.map(
    (d) =>
      html`<tr><th scope="row"><a href="${departmentPath(d.id)}">${d.name}</a></th><td>${w.memberCount(d.memberIds.length)}</td><td>${d.keyContactId ? (names.get(d.keyContactId) ?? d.keyContactId) : ''}</td></tr>`,
  );
  return html`<table class="data"><caption>${w.caption}</caption><thead><tr><th scope="col">${w.name}</th><th scope="col">${w.members}</th><th scope="col">${w.keyContact}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** One row per person: their name, the member box and the key-contact choice (`prefix` keeps ids unique per table). */
function peopleRows(lang: PageLanguage, prefix: string, people: readonly Person[], v: Pick<DepartmentValues, 'members' | 'keyContact'>): SafeHtml[] {
  const w = DEPARTMENTS_WORDS[lang];
  return people.map(
    (p, i) => html`<tr><th scope="row">${p.name}${p.detail ? html` <span class="muted">${p.detail}</span>` : ''}</th>
<td><input type="checkbox" id="${prefix}-member-${i}" name="member" value="${p.id}"${flag('checked', v.members.includes(p.id))}><label class="visually-hidden" for="${prefix}-member-${i}">${w.memberOf(p.name)}</label></td>
<td><input type="radio" id="${prefix}-key-${i}" name="keyContact" value="${p.id}"${flag('checked', v.keyContact === p.id)}><label class="visually-hidden" for="${prefix}-key-${i}">${w.keyContactOf(p.name)}</label></td></tr>`,
  );
}

function peopleTable(lang: PageLanguage, caption: string, rows: readonly SafeHtml[]): SafeHtml {
  const w = DEPARTMENTS_WORDS[lang];
  return html`<table class="data"><caption>${caption}</caption><thead><tr><th scope="col">${w.person}</th><th scope="col">${w.member}</th><th scope="col">${w.keyContact}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/**
 * The people of the form and the search's matches: the region htmx replaces as the person types, sent with what is
 * ticked in it so that a person ticked among the matches stays ticked (listed with the people) after the next search.
 */
export function peopleSection(lang: PageLanguage, x: DepartmentValues, people: readonly Person[], matches: readonly Person[], error: FormError | undefined): SafeHtml {
  const w = DEPARTMENTS_WORDS[lang];
  const keyError = error?.field === 'keyContact' ? html`<p class="field-error" id="keyContact-error">${error.message}</p>` : '';
  const found = x.q.trim() === '' ? '' : matches.length === 0 ? w.noMatch : w.found(matches.length);
  return html`${keyError}<label class="choice" for="keyContact"><input type="radio" id="keyContact" name="keyContact" value=""${flag('checked', x.keyContact === '')}${keyError ? html` aria-describedby="keyContact-error" aria-invalid="true"` : ''}> ${w.noKeyContact}</label>
${people.length > 0 ? peopleTable(lang, w.peopleCaption, peopleRows(lang, 'person', people, x)) : ''}
<p role="status">${found}</p>
${matches.length > 0 ? peopleTable(lang, w.matchesCaption, peopleRows(lang, 'match', matches, x)) : ''}`;
}

export interface DepartmentFormData {
  action: string;
  values: DepartmentValues;
  /** The members and key contact chosen so far, with their names. */
  people: readonly Person[];
  matches: readonly Person[];
  error: FormError | undefined;
  isNew: boolean;
}

export function departmentForm(v: Viewer, d: DepartmentFormData): SafeHtml {
  const w = DEPARTMENTS_WORDS[v.lang];
  const x = d.values;
  const e = d.error;
  const q = fieldParts(v.lang, 'q', w.searchHint, e ? [e] : []);
  return html`${errorSummary(v.lang, e ? [e] : [])}<form method="post" action="${d.action}" novalidate>${csrfField(v)}${defaultSave(v)}
${inputField(v.lang, 'name', w.name, x.name, e ? [e] : [], { required: true, maxlength: 200 })}
<fieldset><legend>${w.people}</legend><p class="hint">${w.peopleHint}</p><p class="hint">${w.keyContactHint}</p>
<div class="field"><label for="q">${w.search}</label>${q.hint}${q.error}
<div class="actions"><input type="search" id="q" name="q" value="${x.q}" maxlength="200" autocomplete="off" aria-controls="department-people"${q.attrs}
 hx-get="${DEPARTMENTS_PATH}/contacts" hx-trigger="input changed delay:300ms, search" hx-target="#department-people" hx-include="#department-people" hx-sync="this:replace">
<button type="submit" class="secondary" name="action" value="find">${w.find}</button></div></div>
<div id="department-people">${peopleSection(v.lang, x, d.people, d.matches, e)}</div>
</fieldset>
<div class="actions"><button type="submit" name="action" value="save">${d.isNew ? w.create : SHELL_WORDS[v.lang].save}</button><a href="${DEPARTMENTS_PATH}">${SHELL_WORDS[v.lang].cancel}</a></div>
</form>`;
}
