import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import { publicCarrierCode, type LockerService, type LockerView } from '../../domain/service.ts';
import { principalOf } from '../principal.ts';
import { ApiError } from '../errors.ts';
import { scopeOf } from '../scope.ts';
import {
  createBankInput,
  createCarrierInput,
  createColumnInput,
  createDivisionInput,
  createEnterpriseInput,
  createLocationInput,
  createLockerInput,
  entityIdSchema,
  issueCarrierCodeInput,
  setHistoryRetentionInput,
  setServiceStateInput,
  updateBankInput,
} from '../../domain/model.ts';
import { Replies } from '../schemas.ts';
import { withContentsDetail } from './locker-contents.ts';
import { actorOf, created, ok, BankParams, CarrierCodeParams, CarrierParams, LockerParams } from './common.ts';

/** Without 'lockers.contents' (carriers) one sees which lockers are free and their sizes, not what is inside whose locker. */
function forRole(req: FastifyRequest, v: LockerView): LockerView {
  if (principalOf(req).permissions.has('lockers.contents') || !v.contents) return v;
  const { contents: _contents, ...rest } = v;
  return rest;
}

/** Routes of the physical model (enterprise to lockers) and of carriers (contacts and departments: contacts.ts, departments.ts). */
export const modelRoutes: FastifyPluginAsyncZod<{ service: LockerService }> = async (app, { service }) => {
  const scope = (req: FastifyRequest) => scopeOf(req, service.store);
  const carrierIn = (req: FastifyRequest, id: string): void => scope(req).requireCarrier(id);
  // ------------------------------------------------------------------------------------------ organisation
  app.get('/enterprises', { schema: { tags: ['model'], summary: 'List enterprises', response: ok(Replies.enterprises) } }, async (req) => ({
    enterprises: (await service.listEnterprises()).filter((e) => scope(req).hasEnterprise(e.id)),
  }));
  app.post('/enterprises', { schema: { tags: ['model'], summary: 'Create an enterprise', body: createEnterpriseInput, response: created(Replies.enterprise) } }, async (req, reply) =>
    reply.code(201).send({ enterprise: await service.createEnterprise(req.body, actorOf(req)) }),
  );
  app.patch(
    '/enterprises/:enterpriseId/history-retention',
    {
      schema: {
        tags: ['model'],
        summary: 'How many days ended reservations and activity are kept (null: for ever); older history stops being answered at once',
        params: z.strictObject({ enterpriseId: entityIdSchema }),
        body: setHistoryRetentionInput,
        response: ok(Replies.enterprise),
      },
    },
    async (req) => {
      const s = scope(req);
      s.requireEnterprise(req.params.enterpriseId, 'params.enterpriseId');
      // How long the whole enterprise's history is kept: changed, like the enterprise itself, only by someone whose
      // access level is all of it (routes/organisation.ts).
      if (s.principal.accessLevel.kind !== 'enterprise') throw new ApiError('NOT_FOUND', `enterprise ${JSON.stringify(req.params.enterpriseId)} not found`, 'params.enterpriseId');
      return { enterprise: await service.setHistoryRetention(req.params.enterpriseId, req.body, actorOf(req)) };
    },
  );

  app.get(
    '/divisions',
    { schema: { tags: ['model'], summary: 'List divisions', querystring: z.strictObject({ enterpriseId: entityIdSchema.optional() }), response: ok(Replies.divisions) } },
    async (req) => ({ divisions: (await service.listDivisions(req.query.enterpriseId)).filter((d) => scope(req).hasDivision(d.id)) }),
  );
  app.post('/divisions', { schema: { tags: ['model'], summary: 'Create a division', body: createDivisionInput, response: created(Replies.division) } }, async (req, reply) =>
    {
      const s = scope(req);
      s.requireEnterprise(req.body.enterpriseId, 'body.enterpriseId');
      // A new division widens the enterprise: only those who act for the whole enterprise add one.
      if (s.principal.accessLevel.kind !== 'enterprise') throw new ApiError('NOT_FOUND', `enterprise ${JSON.stringify(req.body.enterpriseId)} not found`, 'body.enterpriseId');
      return reply.code(201).send({ division: await service.createDivision(req.body, actorOf(req)) });
    },
  );

  app.get(
    '/locations',
    { schema: { tags: ['model'], summary: 'List locations (sites)', querystring: z.strictObject({ divisionId: entityIdSchema.optional() }), response: ok(Replies.locations) } },
    async (req) => ({ locations: (await service.listLocations(req.query.divisionId)).filter((l) => scope(req).hasLocation(l.id)) }),
  );
  app.post('/locations', { schema: { tags: ['model'], summary: 'Create a location with its reach range', body: createLocationInput, response: created(Replies.location) } }, async (req, reply) =>
    {
      scope(req).requireDivision(req.body.divisionId, 'body.divisionId');
      return reply.code(201).send({ location: await service.createLocation(req.body, actorOf(req)) });
    },
  );

  app.get(
    '/banks',
    { schema: { tags: ['model'], summary: 'List locker banks', querystring: z.strictObject({ locationId: entityIdSchema.optional() }), response: ok(Replies.banks) } },
    async (req) => ({ banks: (await service.listBanks(req.query.locationId)).filter((b) => scope(req).hasBank(b.id)) }),
  );
  app.post('/banks', { schema: { tags: ['model'], summary: 'Create a locker bank', body: createBankInput, response: created(Replies.bank) } }, async (req, reply) =>
    {
      scope(req).requireLocation(req.body.locationId, 'body.locationId');
      return reply.code(201).send({ bank: await service.createBank(req.body, actorOf(req)) });
    },
  );
  app.get('/banks/:bankId', { schema: { tags: ['model'], summary: 'One locker bank', params: BankParams, response: ok(Replies.bank) } }, async (req) => {
    scope(req).requireBank(req.params.bankId, 'params.bankId');
    return { bank: await service.getBank(req.params.bankId) };
  });
  app.patch(
    '/banks/:bankId',
    { schema: { tags: ['model'], summary: 'Change a bank: name, rules, delivery quota', params: BankParams, body: updateBankInput, response: ok(Replies.bank) } },
    async (req) => {
      scope(req).requireBank(req.params.bankId, 'params.bankId');
      return { bank: await service.updateBank(req.params.bankId, req.body, actorOf(req)) };
    },
  );
  app.get(
    '/banks/:bankId/config-check',
    { schema: { tags: ['model'], summary: 'Configuration check: accessible share and other warnings', params: BankParams, response: ok(Replies.check) } },
    async (req) => {
      scope(req).requireBank(req.params.bankId, 'params.bankId');
      return { check: await service.checkBankConfig(req.params.bankId) };
    },
  );

  app.get('/banks/:bankId/columns', { schema: { tags: ['model'], summary: 'Columns of a bank', params: BankParams, response: ok(Replies.columns) } }, async (req) => {
    scope(req).requireBank(req.params.bankId, 'params.bankId');
    return { columns: await service.listColumns(req.params.bankId) };
  });
  app.post('/columns', { schema: { tags: ['model'], summary: 'Add a column (one controller board)', body: createColumnInput, response: created(Replies.column) } }, async (req, reply) =>
    {
      scope(req).requireBank(req.body.bankId, 'body.bankId');
      return reply.code(201).send({ column: await service.createColumn(req.body, actorOf(req)) });
    },
  );

  app.post('/lockers', { schema: { tags: ['lockers'], summary: 'Add a locker', body: createLockerInput, response: created(Replies.locker) } }, async (req, reply) =>
    {
      scope(req).requireBank(req.body.bankId, 'body.bankId');
      return reply.code(201).send({ locker: await service.createLocker(req.body, actorOf(req)) });
    },
  );
  app.post(
    '/lockers/batch',
    {
      schema: {
        tags: ['lockers'],
        summary: 'Add several lockers in one durable write',
        body: z.strictObject({ lockers: z.array(createLockerInput).min(1).max(500) }),
        response: created(Replies.lockers),
      },
    },
    async (req, reply) => {
      req.body.lockers.forEach((l, i) => scope(req).requireBank(l.bankId, `body.lockers.${i}.bankId`));
      return reply.code(201).send({ lockers: await service.createLockers(req.body.lockers, actorOf(req)) });
    },
  );
  app.get(
    '/banks/:bankId/lockers',
    { schema: { tags: ['lockers'], summary: 'Lockers of a bank with status, accessibility and contents summary', params: BankParams, response: ok(Replies.lockerViews) } },
    async (req) => {
      scope(req).requireBank(req.params.bankId, 'params.bankId');
      const views = (await service.listLockers(req.params.bankId)).map((v) => forRole(req, v));
      return { lockers: withContentsDetail(service.store, views) };
    },
  );
  app.get(
    '/banks/:bankId/lockers/:number',
    { schema: { tags: ['lockers'], summary: 'One locker with status and contents summary', params: LockerParams, response: ok(Replies.lockerView) } },
    async (req) => {
      scope(req).requireBank(req.params.bankId, 'params.bankId');
      return withContentsDetail(service.store, [forRole(req, await service.getLocker(req.params.bankId, req.params.number))])[0]!;
    },
  );
  app.put(
    '/banks/:bankId/lockers/:number/service',
    {
      schema: { tags: ['lockers'], summary: 'Put a locker out of service or back', params: LockerParams, body: setServiceStateInput, response: ok(Replies.lockerView) },
    },
    async (req) => {
      scope(req).requireBank(req.params.bankId, 'params.bankId');
      return service.setServiceState(req.params.bankId, req.params.number, req.body, actorOf(req));
    },
  );

  // ------------------------------------------------------------------------------------------ people
  app.get('/carriers', { schema: { tags: ['people'], summary: 'List carriers', response: ok(Replies.carriers) } }, async (req) => ({
    carriers: await service.listCarriers(scope(req).enterpriseId),
  }));
  app.post('/carriers', { schema: { tags: ['people'], summary: 'Create a carrier', body: createCarrierInput.omit({ enterpriseId: true }), response: created(Replies.carrier) } }, async (req, reply) =>
    reply.code(201).send({ carrier: await service.createCarrier({ ...req.body, enterpriseId: scope(req).enterpriseId }, actorOf(req)) }),
  );
  app.get(
    '/carriers/:carrierId/codes',
    { schema: { tags: ['people'], summary: "A carrier's access codes (never the codes themselves)", params: CarrierParams, response: ok(Replies.carrierCodes) } },
    async (req) => {
      carrierIn(req, req.params.carrierId);
      return { carrierCodes: (await service.listCarrierCodes(req.params.carrierId)).map((c) => publicCarrierCode(c, service.store.list('banks'), service.now())) };
    },
  );
  app.post(
    '/carrier-codes/:carrierCodeId/revoke',
    { schema: { tags: ['people'], summary: 'Revoke a carrier access code', params: CarrierCodeParams, response: ok(Replies.revokedCarrierCode) } },
    async (req) => {
      const code = service.store.get('carrierCodes', req.params.carrierCodeId);
      if (code) carrierIn(req, code.carrierId);
      return { carrierCode: publicCarrierCode(await service.revokeCarrierCode(req.params.carrierCodeId, actorOf(req)), service.store.list('banks'), service.now()) };
    },
  );
  app.post(
    '/carriers/:carrierId/codes',
    {
      schema: {
        tags: ['people'],
        summary: 'Issue a carrier access code (shown once, stored hashed)',
        params: CarrierParams,
        body: issueCarrierCodeInput,
        response: created(Replies.carrierCode),
      },
    },
    async (req, reply) => {
      carrierIn(req, req.params.carrierId);
      req.body.bankIds?.forEach((b, i) => scope(req).requireBank(b, `body.bankIds.${i}`));
      const r = await service.issueCarrierCode(req.params.carrierId, req.body, actorOf(req));
      return reply.code(201).header('cache-control', 'no-store').send({ carrierCode: publicCarrierCode(r.carrierCode, service.store.list('banks'), service.now()), code: r.code });
    },
  );
};
