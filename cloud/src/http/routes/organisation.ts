/**
 * The organisation after creation: one enterprise, division, location or column read, edited (renamed) or deleted,
 * and a bank deleted. A delete answers 409 CONFLICT naming what still depends on the record. Creating and listing
 * stay in routes/model.ts.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LockerService } from '../../domain/service.ts';
import { entityIdSchema, updateColumnInput, updateDivisionInput, updateEnterpriseInput, updateLocationInput } from '../../domain/model.ts';
import { Replies } from '../schemas.ts';
import { actorOf, ok, BankParams } from './common.ts';

const EnterpriseParams = z.strictObject({ enterpriseId: entityIdSchema });
const DivisionParams = z.strictObject({ divisionId: entityIdSchema });
const LocationParams = z.strictObject({ locationId: entityIdSchema });
const ColumnParams = z.strictObject({ columnId: entityIdSchema });
const tags = ['organisation'];

export const organisationRoutes: FastifyPluginAsyncZod<{ service: LockerService }> = async (app, { service }) => {
  const org = service.orgAdmin;

  app.get('/enterprises/:enterpriseId', { schema: { tags, summary: 'One enterprise', params: EnterpriseParams, response: ok(Replies.enterprise) } }, async (req) => ({
    enterprise: await org.getEnterprise(req.params.enterpriseId),
  }));
  app.patch(
    '/enterprises/:enterpriseId',
    { schema: { tags, summary: 'Rename an enterprise', params: EnterpriseParams, body: updateEnterpriseInput, response: ok(Replies.enterprise) } },
    async (req) => ({ enterprise: await org.updateEnterprise(req.params.enterpriseId, req.body, actorOf(req)) }),
  );
  app.delete(
    '/enterprises/:enterpriseId',
    { schema: { tags, summary: 'Delete an enterprise (refused while it has divisions)', params: EnterpriseParams, response: ok(Replies.enterprise) } },
    async (req) => ({ enterprise: await org.deleteEnterprise(req.params.enterpriseId, actorOf(req)) }),
  );

  app.get('/divisions/:divisionId', { schema: { tags, summary: 'One division', params: DivisionParams, response: ok(Replies.division) } }, async (req) => ({
    division: await org.getDivision(req.params.divisionId),
  }));
  app.patch(
    '/divisions/:divisionId',
    { schema: { tags, summary: 'Rename a division', params: DivisionParams, body: updateDivisionInput, response: ok(Replies.division) } },
    async (req) => ({ division: await org.updateDivision(req.params.divisionId, req.body, actorOf(req)) }),
  );
  app.delete(
    '/divisions/:divisionId',
    { schema: { tags, summary: 'Delete a division (refused while it has locations)', params: DivisionParams, response: ok(Replies.division) } },
    async (req) => ({ division: await org.deleteDivision(req.params.divisionId, actorOf(req)) }),
  );

  app.get('/locations/:locationId', { schema: { tags, summary: 'One location', params: LocationParams, response: ok(Replies.location) } }, async (req) => ({
    location: await org.getLocation(req.params.locationId),
  }));
  app.patch(
    '/locations/:locationId',
    {
      schema: {
        tags,
        summary: "Change a location: name, address (null removes it), reach range (its banks' lockers are judged again)",
        params: LocationParams,
        body: updateLocationInput,
        response: ok(Replies.location),
      },
    },
    async (req) => ({ location: await org.updateLocation(req.params.locationId, req.body, actorOf(req)) }),
  );
  app.delete(
    '/locations/:locationId',
    { schema: { tags, summary: 'Delete a location (refused while it has banks)', params: LocationParams, response: ok(Replies.location) } },
    async (req) => ({ location: await org.deleteLocation(req.params.locationId, actorOf(req)) }),
  );

  app.delete(
    '/banks/:bankId',
    { schema: { tags, summary: 'Delete a locker bank (refused while it has columns or lockers)', params: BankParams, response: ok(Replies.bank) } },
    async (req) => ({ bank: await org.deleteBank(req.params.bankId, actorOf(req)) }),
  );

  app.get('/columns/:columnId', { schema: { tags, summary: 'One column', params: ColumnParams, response: ok(Replies.column) } }, async (req) => ({
    column: await org.getColumn(req.params.columnId),
  }));
  app.patch(
    '/columns/:columnId',
    {
      schema: {
        tags,
        summary: "Change a column's kind (its position and controller are its controller's provisioning: delete it and add it again to change them)",
        params: ColumnParams,
        body: updateColumnInput,
        response: ok(Replies.column),
      },
    },
    async (req) => ({ column: await org.updateColumn(req.params.columnId, req.body, actorOf(req)) }),
  );
  app.delete(
    '/columns/:columnId',
    {
      schema: {
        tags,
        summary: "Delete a column (refused while it has lockers); its controller's identity is revoked and its retained desired state cleared",
        params: ColumnParams,
        response: ok(Replies.column),
      },
    },
    async (req) => ({ column: await org.deleteColumn(req.params.columnId, actorOf(req)) }),
  );
};
