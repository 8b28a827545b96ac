/**
 * The enterprise's custom fields (domain/use-cases/custom-fields.ts): list, add, edit, remove; and `showCustomValues`,
 * which makes the routes of users, contacts and reservations answer a record's values by label as well as by id.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createCustomFieldInput, customFieldSchema, entityIdSchema, updateCustomFieldInput, type CustomFieldRecord, type CustomValues } from '../../domain/model.ts';
import type { LockerService } from '../../domain/service.ts';
import { scopeOf } from '../scope.ts';
import { actorOf, created, ok, queryBool } from './common.ts';

const tags = ['customFields'];
const Params = z.strictObject({ customFieldId: entityIdSchema });
const One = z.object({ customField: customFieldSchema });

export const customFieldRoutes: FastifyPluginAsyncZod<{ service: LockerService }> = async (app, { service }) => {
  const fields = service.customFields;
  const enterpriseOf = (req: FastifyRequest): string => scopeOf(req, service.store).enterpriseId;

  app.get(
    '/custom-fields',
    {
      schema: {
        tags,
        summary: "Your enterprise's custom fields, in the order they were made; with includeRemoved, removed ones too (they keep their labels for history)",
        querystring: z.strictObject({ includeRemoved: queryBool.optional() }),
        response: ok(z.object({ customFields: z.array(customFieldSchema) })),
      },
    },
    async (req) => ({ customFields: fields.list(enterpriseOf(req), req.query.includeRemoved === true) }),
  );
  app.post(
    '/custom-fields',
    {
      schema: {
        tags,
        summary:
          'Add a custom field (at most 10 per enterprise): labels in English and French (each unique, ignoring case), type text, number, date (YYYY-MM-DD) or choice (with its options), required or not, on users, contacts and/or reservations',
        body: createCustomFieldInput,
        response: created(One),
      },
    },
    async (req, reply) => reply.code(201).send({ customField: await fields.create(enterpriseOf(req), req.body, actorOf(req)) }),
  );
  app.patch(
    '/custom-fields/:customFieldId',
    {
      schema: {
        tags,
        summary: "Edit a custom field: labels, a choice's options, required, the records it appears on; its type cannot change. Values stay, stored by the field's id",
        params: Params,
        body: updateCustomFieldInput,
        response: ok(One),
      },
    },
    async (req) => ({ customField: await fields.update(enterpriseOf(req), req.params.customFieldId, req.body, actorOf(req)) }),
  );
  app.delete(
    '/custom-fields/:customFieldId',
    {
      schema: {
        tags,
        summary: 'Remove a custom field: no longer offered, checked, exported or shown; kept (with removedAt) so the activity log still names it by its label',
        params: Params,
        response: ok(One),
      },
    },
    async (req) => ({ customField: await fields.remove(enterpriseOf(req), req.params.customFieldId, actorOf(req)) }),
  );
};

type Stored = { customValues?: CustomValues; enterpriseId?: string; bankId?: string };

/**
 * Makes every answer of `app`'s routes show the custom values of the records under `keys` (an object or a list) as
 * the enterprise's live fields say: by id (`customValues`) and by English label (`custom`). Done on the way out, so
 * each handler keeps answering the stored record.
 */
export function showCustomValues(app: FastifyInstance, service: LockerService, record: CustomFieldRecord, keys: readonly string[]): void {
  const show = (r: unknown): unknown => {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) return r;
    const s = r as Stored;
    if (s.customValues === undefined) return r;
    if (s.bankId !== undefined && s.enterpriseId === undefined) return service.customFields.shownReservation({ ...s, bankId: s.bankId });
    return service.customFields.shown(s.enterpriseId ?? '', record, s);
  };
  app.addHook('preSerialization', async (_req, _reply, payload: unknown) => {
    if (payload === null || typeof payload !== 'object') return payload;
    const out: Record<string, unknown> = { ...(payload as Record<string, unknown>) };
    for (const k of keys) {
      const v = out[k];
      if (v !== undefined) out[k] = Array.isArray(v) ? v.map(show) : show(v);
    }
    return out;
  });
}
