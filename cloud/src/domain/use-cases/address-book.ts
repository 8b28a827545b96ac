/** The address book: contacts, departments, and the contacts' CSV import and export, over one domain core. */
import type { DomainCore } from '../core.ts';
import { ContactCsv } from './contacts-csv.ts';
import type { CustomFieldUseCases } from './custom-fields.ts';
import { ContactUseCases } from './contacts.ts';
import { DepartmentUseCases } from './departments.ts';

export class AddressBook {
  readonly contacts: ContactUseCases;
  readonly departments: DepartmentUseCases;
  readonly csv: ContactCsv;

  constructor(core: DomainCore, customFields: CustomFieldUseCases) {
    this.contacts = new ContactUseCases(core, customFields);
    this.departments = new DepartmentUseCases(core);
    this.csv = new ContactCsv(core, this.contacts, this.departments, customFields);
  }
}
