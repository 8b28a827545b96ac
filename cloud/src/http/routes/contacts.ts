import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../domain/errors.ts';
import { createContactBody, importModeSchema, updateContactInput } from '../../domain/model.ts';
import type { LockerService } from '../../domain/service.ts';
import { CONTACTS_CSV_MAX_BYTES } from '../../domain/use-cases/contacts-csv.ts';
import { Replies } from '../schemas.ts';
import { addressBookView } from './address-book-view.ts';
import { acceptCsv, answerImport, csvBody, csvReply, importReplies, refuseLargeCsv, sendCsv } from './csv-files.ts';
import { actorOf, ContactParams, created, ok, queryInt } from './common.ts';
import { showCustomValues } from './custom-fields.ts';

export const ContactPage = z.object({
  contacts: z.array(Replies.contact.shape.contact),
  total: z.number().int().describe('contacts matching in all'),
  offset: z.number().int(),
  limit: z.number().int(),
});

export const importReply = importReplies({
  mode: importModeSchema,
  removed: z.number().int(),
  kept: z.array(z.object({ id: z.string(), personnelId: z.string().optional(), reason: z.string() })).describe('replace: contacts not in the file kept because something live names them'),
});

/**
 * The address book's contacts (tag `addressBook`): list and search, add, edit, delete, erase, and the CSV export,
 * template and import. Without the address-book permission every one of these URLs answers 404 (access.ts `hidden`).
 */
export const contactRoutes: FastifyPluginAsyncZod<{ service: LockerService }> = async (app, { service }) => {
  const book = service.addressBook;
  acceptCsv(app);
  app.addHook('onRequest', refuseLargeCsv('contacts', CONTACTS_CSV_MAX_BYTES));
  showCustomValues(app, service, 'contacts', ['contact', 'contacts']);

  app.get(
    '/contacts',
    {
      schema: {
        tags: ['addressBook'],
        summary: 'List or search contacts: `q` is looked for (case and accents ignored) in first and last name, e-mail, personnel ID and custom field values; those it starts a word of come first; in name order, paged',
        querystring: z.strictObject({ q: z.string().max(200).optional(), offset: queryInt(0, 10_000_000).optional(), limit: queryInt(1, 10_000).optional() }),
        response: ok(ContactPage),
      },
    },
    async (req) => {
      const offset = req.query.offset ?? 0;
      const limit = req.query.limit ?? 1000;
      const page = book.contacts.search({ ...(req.query.q !== undefined ? { q: req.query.q } : {}), filter: addressBookView(req, service.store).contact, offset, limit });
      return { ...page, offset, limit };
    },
  );
  app.post('/contacts', { schema: { tags: ['addressBook'], summary: 'Add a contact', body: createContactBody, response: created(Replies.contact) } }, async (req, reply) => {
    const view = addressBookView(req, service.store);
    if (req.body.locationId !== undefined && !view.location(req.body.locationId)) throw notFoundLocation(req.body.locationId);
    return reply.code(201).send({ contact: await book.contacts.create({ ...req.body, enterpriseId: view.enterpriseId }, actorOf(req)) });
  });

  app.get(
    '/contacts/export',
    { schema: { tags: ['addressBook'], summary: 'Every contact you may see as CSV (DESIGN "CSV formats"; then one column per custom field on contacts, by English label); formula cells escaped', response: csvReply } },
    async (req, reply) => sendCsv(reply, 'contacts.csv', book.csv.export(addressBookView(req, service.store))),
  );
  app.get(
    '/contacts/template',
    { schema: { tags: ['addressBook'], summary: "The contacts CSV template: its header row (the enterprise's custom fields on contacts last)", response: csvReply } },
    async (req, reply) => sendCsv(reply, 'contacts-template.csv', book.csv.template(addressBookView(req, service.store).enterpriseId)),
  );
  app.post(
    '/contacts/import',
    {
      bodyLimit: CONTACTS_CSV_MAX_BYTES,
      schema: {
        tags: ['addressBook'],
        summary:
          'Import contacts from a CSV body (`content-type: text/csv`, at most 5 MB): merge adds and updates by PersonnelID; replace also deletes the contacts you may see that the file does not name (except those with live parcels, reported). Checked whole first: any bad row answers 422 with every problem and nothing is written',
        querystring: z.strictObject({ mode: importModeSchema.default('merge') }),
        body: csvBody,
        response: importReply,
      },
    },
    async (req, reply) => answerImport(reply, 'contacts', () => book.csv.import(req.body, req.query.mode, actorOf(req), addressBookView(req, service.store))),
  );

  app.get('/contacts/:contactId', { schema: { tags: ['addressBook'], summary: 'One contact', params: ContactParams, response: ok(Replies.contact) } }, async (req) => ({
    contact: await book.contacts.get(req.params.contactId, addressBookView(req, service.store).contact),
  }));
  app.patch(
    '/contacts/:contactId',
    { schema: { tags: ['addressBook'], summary: 'Edit a contact: the fields given change, `null` clears one', params: ContactParams, body: updateContactInput, response: ok(Replies.contact) } },
    async (req) => {
      const view = addressBookView(req, service.store);
      await book.contacts.get(req.params.contactId, view.contact);
      if (typeof req.body.locationId === 'string' && !view.location(req.body.locationId)) throw notFoundLocation(req.body.locationId);
      return { contact: await book.contacts.update(req.params.contactId, req.body, actorOf(req)) };
    },
  );
  app.delete(
    '/contacts/:contactId',
    { schema: { tags: ['addressBook'], summary: 'Delete a contact; 409 while a live reservation or parcel, a dedicated locker or a login names them', params: ContactParams, response: ok(Replies.contact) } },
    async (req) => {
      await book.contacts.get(req.params.contactId, addressBookView(req, service.store).contact);
      return { contact: await book.contacts.delete(req.params.contactId, actorOf(req)) };
    },
  );
  app.post(
    '/contacts/:contactId/erase',
    {
      schema: {
        tags: ['addressBook'],
        summary: "Erase a person's personal data: name and contact details replaced, their links in history replaced by a new id, the events kept; recorded in the activity",
        params: ContactParams,
        response: ok(Replies.erasure),
      },
    },
    async (req) => {
      await book.contacts.get(req.params.contactId, addressBookView(req, service.store).contact);
      return { erasure: await service.erasePerson(req.params.contactId, actorOf(req)) };
    },
  );
};

function notFoundLocation(id: string): Error {
  return notFound('location', id, 'locationId');
}
