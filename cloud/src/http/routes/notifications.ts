/**
 * The caller's enterprise's own notices (mail/notification-admin.ts, tag `notifications`): the words of each kind of
 * e-mail per language with their placeholders, set, removed (back to the built-in words) and previewed, and who is told
 * of which event. They reach every message of the enterprise, so these routes ask for an enterprise-wide access level.
 * Words the placeholders refuse answer 400 naming `body.subject` or `body.body` and the placeholder.
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../domain/errors.ts';
import { entityIdSchema } from '../../domain/model.ts';
import type { LockerService } from '../../domain/service.ts';
import { AUDIENCES, NOTIFIED_EVENTS, notificationRulesInput } from '../../mail/notification-model.ts';
import { templateTextInput } from '../../mail/placeholders.ts';
import { ApiError } from '../errors.ts';
import { scopeOf } from '../scope.ts';
import { actorOf, ok } from './common.ts';

const tags = ['notifications'];
const Params = z.strictObject({ kind: entityIdSchema.describe('a kind of e-mail, as GET lists them'), language: entityIdSchema.describe('en or fr') });
const Words = z.object({ subject: z.string(), body: z.string() });
const LanguageReply = z.object({ builtIn: Words, own: Words.extend({ updatedAt: z.number() }).optional().describe("the enterprise's own words: what its e-mails say") });
export const TemplateReply = z.object({ template: LanguageReply });
export const ListReply = z.object({
  templates: z.array(z.object({ kind: z.string(), placeholders: z.array(z.string()), languages: z.object({ en: LanguageReply, fr: LanguageReply }) })),
});
export const RulesReply = z.object({
  rules: z.object(Object.fromEntries(NOTIFIED_EVENTS.map((e) => [e, z.array(z.enum(AUDIENCES))])) as Record<(typeof NOTIFIED_EVENTS)[number], z.ZodArray<z.ZodEnum<{ [K in (typeof AUDIENCES)[number]]: K }>>>),
});
export const PreviewReply = z.object({ subject: z.string(), text: z.string(), html: z.string() });

/** Words refused by their kind's placeholders (or their shape) are the request's own text: 400, named in the body. */
async function asRequestProblem<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof DomainError && err.code === 'VALIDATION' && (err.field === 'subject' || err.field === 'body')) throw new ApiError('INVALID_TEMPLATE', err.message, `body.${err.field}`);
    throw err;
  }
}

export const notificationRoutes: FastifyPluginAsyncZod<{ service: LockerService }> = async (app, { service }) => {
  const admin = service.notifications;
  /** The caller's enterprise, when their access level is all of it. */
  const enterpriseOf = (req: FastifyRequest): string => {
    const scope = scopeOf(req, service.store);
    if (scope.principal.accessLevel.kind !== 'enterprise') throw new ApiError('FORBIDDEN', "an enterprise's notices reach all of it: they need an enterprise-wide access level");
    return scope.enterpriseId;
  };

  app.get(
    '/notification-templates',
    {
      schema: {
        tags,
        summary: 'Every kind of e-mail: its placeholders, and per language its built-in words and your own (what your e-mails say when you have them)',
        response: ok(ListReply),
      },
    },
    async (req) => ({ templates: admin.list(enterpriseOf(req)) }),
  );
  app.put(
    '/notification-templates/:kind/:language',
    {
      schema: {
        tags,
        summary:
          'Word an e-mail your own way: a one-line subject and a plain-text body (paragraphs parted by blank lines) with the placeholders of its kind written {{name}}; codes and links stay out of subjects. A paragraph naming a value a message lacks is left out; a contact always gets the link to their preferences',
        params: Params,
        body: templateTextInput,
        response: ok(TemplateReply),
      },
    },
    async (req) => ({ template: await asRequestProblem(admin.setTemplate(enterpriseOf(req), req.params.kind, req.params.language, req.body, actorOf(req))) }),
  );
  app.delete(
    '/notification-templates/:kind/:language',
    { schema: { tags, summary: 'Back to the built-in words for this kind and language', params: Params, response: ok(TemplateReply) } },
    async (req) => ({ template: await admin.resetTemplate(enterpriseOf(req), req.params.kind, req.params.language, actorOf(req)) }),
  );
  app.post(
    '/notification-templates/:kind/:language/preview',
    {
      schema: {
        tags,
        summary: 'The e-mail as it would be sent, with made-up content: in the words given (not saved; a field left out is your current one), or with {} in your current words',
        params: Params,
        body: z.strictObject({ subject: templateTextInput.shape.subject.optional(), body: templateTextInput.shape.body.optional() }),
        response: ok(PreviewReply),
      },
    },
    async (req) => asRequestProblem(admin.preview(enterpriseOf(req), req.params.kind, req.params.language, req.body)),
  );
  app.get(
    '/notification-rules',
    { schema: { tags, summary: 'Who is told of each event of a parcel: recipient, keyContact (of the recipient’s department), reservedBy (the user who reserved)', response: ok(RulesReply) } },
    async (req) => ({ rules: admin.rules(enterpriseOf(req)) }),
  );
  app.put(
    '/notification-rules',
    {
      schema: {
        tags,
        summary: 'Choose who is told of each event; an event left out goes to its recipient alone, an empty list tells nobody. A contact who turned notices off still gets none',
        body: notificationRulesInput,
        response: ok(RulesReply),
      },
    },
    async (req) => ({ rules: await admin.setRules(enterpriseOf(req), req.body, actorOf(req)) }),
  );
};
