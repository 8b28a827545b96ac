/**
 * The organisation after creation: one enterprise, division, location or column read, edited (renamed) or deleted,
 * and a bank deleted. A delete answers 409 CONFLICT naming what still depends on the record. Creating and listing
 * stay in routes/model.ts. Divisions and locations as CSV: template, export and import.
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LockerService } from '../../domain/service.ts';
import { entityIdSchema, updateColumnInput, updateDivisionInput, updateEnterpriseInput, updateLocationInput } from '../../domain/model.ts';
import { LOCATIONS_CSV_MAX_BYTES, type OrganisationView } from '../../domain/use-cases/locations-csv.ts';
import { ApiError } from '../errors.ts';
import { Replies } from '../schemas.ts';
import { acceptCsv, answerImport, csvBody, csvReply, importReplies, refuseLargeCsv, sendCsv } from './csv-files.ts';
import { scopeOf } from '../scope.ts';
import { actorOf, forbidden, ok, BankParams } from './common.ts';
import { principalOf } from '../principal.ts';

const EnterpriseParams = z.strictObject({ enterpriseId: entityIdSchema });
const DivisionParams = z.strictObject({ divisionId: entityIdSchema });
const LocationParams = z.strictObject({ locationId: entityIdSchema });
const ColumnParams = z.strictObject({ columnId: entityIdSchema });
const tags = ['organisation'];
const locationImportReply = importReplies({ divisions: z.number().int().describe('rows of a division alone (a division without locations in an export)') });

export const organisationRoutes: FastifyPluginAsyncZod<{ service: LockerService }> = async (app, { service }) => {
  const org = service.orgAdmin;
  const scope = (req: FastifyRequest) => scopeOf(req, service.store);
  // Every record answers 404 outside the caller's enterprise and access level, as if it did not exist.
  const enterpriseIn = (req: FastifyRequest, id: string): string => {
    const s = scope(req);
    s.requireEnterprise(id, 'params.enterpriseId');
    // The enterprise itself is changed only by someone whose access level is all of it.
    if (s.principal.accessLevel.kind !== 'enterprise') throw new ApiError('NOT_FOUND', `enterprise ${JSON.stringify(id)} not found`, 'params.enterpriseId');
    return id;
  };
  const divisionIn = (req: FastifyRequest, id: string): string => (scope(req).requireDivision(id, 'params.divisionId'), id);
  const locationIn = (req: FastifyRequest, id: string): string => (scope(req).requireLocation(id, 'params.locationId'), id);
  const bankIn = (req: FastifyRequest, id: string): string => (scope(req).requireBank(id, 'params.bankId'), id);
  const columnIn = (req: FastifyRequest, id: string): string => {
    const c = service.store.get('columns', id);
    if (!c || !scope(req).hasBank(c.bankId)) throw new ApiError('NOT_FOUND', `column ${JSON.stringify(id)} not found`, 'params.columnId');
    return id;
  };

  app.get('/enterprises/:enterpriseId', { schema: { tags, summary: 'One enterprise', params: EnterpriseParams, response: ok(Replies.enterprise) } }, async (req) => ({
    enterprise: await org.getEnterprise(enterpriseIn(req, req.params.enterpriseId)),
  }));
  app.patch(
    '/enterprises/:enterpriseId',
    {
      schema: {
        tags,
        summary:
          "Rename an enterprise (permission lockers.manage) and change its settings (permission settings): `settings.employeeIdRequired` makes every user's employee ID required",
        params: EnterpriseParams,
        body: updateEnterpriseInput,
        response: ok(Replies.enterprise),
      },
    },
    async (req) => {
      // The access table lets either permission in; each part of the body needs its own.
      const p = principalOf(req);
      if (req.body.name !== undefined && !p.permissions.has('lockers.manage')) throw forbidden(`role ${p.role} may not rename the enterprise`);
      if (req.body.settings !== undefined && !p.permissions.has('settings')) throw forbidden(`role ${p.role} may not change the enterprise's settings`);
      return { enterprise: await org.updateEnterprise(enterpriseIn(req, req.params.enterpriseId), req.body, actorOf(req)) };
    },
  );
  app.delete(
    '/enterprises/:enterpriseId',
    { schema: { tags, summary: 'Delete an enterprise, a platform operation (refused while it has divisions, people, carriers, logins or roles)', params: EnterpriseParams, response: ok(Replies.enterprise) } },
    async (req) => ({ enterprise: await org.deleteEnterprise(req.params.enterpriseId, actorOf(req)) }),
  );

  app.get('/divisions/:divisionId', { schema: { tags, summary: 'One division', params: DivisionParams, response: ok(Replies.division) } }, async (req) => ({
    division: await org.getDivision(divisionIn(req, req.params.divisionId)),
  }));
  app.patch(
    '/divisions/:divisionId',
    { schema: { tags, summary: 'Rename a division', params: DivisionParams, body: updateDivisionInput, response: ok(Replies.division) } },
    async (req) => ({ division: await org.updateDivision(divisionIn(req, req.params.divisionId), req.body, actorOf(req)) }),
  );
  app.delete(
    '/divisions/:divisionId',
    { schema: { tags, summary: 'Delete a division (refused while it has locations)', params: DivisionParams, response: ok(Replies.division) } },
    async (req) => ({ division: await org.deleteDivision(divisionIn(req, req.params.divisionId), actorOf(req)) }),
  );

  acceptCsv(app);
  app.addHook('onRequest', refuseLargeCsv('locations', LOCATIONS_CSV_MAX_BYTES));
  const orgView = (req: FastifyRequest): OrganisationView => {
    const s = scope(req);
    return { enterpriseId: s.enterpriseId, division: (id) => s.hasDivision(id), location: (id) => s.hasLocation(id) };
  };
  app.get(
    '/locations/template',
    { schema: { tags, summary: 'The locations CSV template: its header row (DESIGN "CSV formats")', response: csvReply } },
    async (_req, reply) => sendCsv(reply, 'locations-template.csv', service.locationCsv.template()),
  );
  app.get(
    '/locations/export',
    {
      schema: {
        tags,
        summary:
          'Every division and location you may see as CSV, in the template\'s columns: one row per location, and a row holding only its DivisionID for a division without locations; formula cells escaped. Imported again, it changes nothing',
        response: csvReply,
      },
    },
    async (req, reply) => sendCsv(reply, 'locations.csv', service.locationCsv.export(orgView(req))),
  );
  app.post(
    '/locations/import',
    {
      bodyLimit: LOCATIONS_CSV_MAX_BYTES,
      schema: {
        tags,
        summary:
          'Import locations from a CSV body (`content-type: text/csv`, at most 5 MB): a row with a LocationID updates that location, one without adds a location to its division (a division of your access level); a row of a DivisionID alone changes nothing. Checked whole first: any bad row answers 422 with every problem and nothing is written',
        body: csvBody,
        response: locationImportReply,
      },
    },
    async (req, reply) => answerImport(reply, 'locations', () => service.locationCsv.import(req.body, actorOf(req), orgView(req))),
  );

  app.get('/locations/:locationId', { schema: { tags, summary: 'One location', params: LocationParams, response: ok(Replies.location) } }, async (req) => ({
    location: await org.getLocation(locationIn(req, req.params.locationId)),
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
    async (req) => ({ location: await org.updateLocation(locationIn(req, req.params.locationId), req.body, actorOf(req)) }),
  );
  app.delete(
    '/locations/:locationId',
    { schema: { tags, summary: 'Delete a location (refused while it has banks)', params: LocationParams, response: ok(Replies.location) } },
    async (req) => ({ location: await org.deleteLocation(locationIn(req, req.params.locationId), actorOf(req)) }),
  );

  app.delete(
    '/banks/:bankId',
    { schema: { tags, summary: 'Delete a locker bank (refused while it has columns or lockers)', params: BankParams, response: ok(Replies.bank) } },
    async (req) => ({ bank: await org.deleteBank(bankIn(req, req.params.bankId), actorOf(req)) }),
  );

  app.get('/columns/:columnId', { schema: { tags, summary: 'One column', params: ColumnParams, response: ok(Replies.column) } }, async (req) => ({
    column: await org.getColumn(columnIn(req, req.params.columnId)),
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
    async (req) => ({ column: await org.updateColumn(columnIn(req, req.params.columnId), req.body, actorOf(req)) }),
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
    async (req) => ({ column: await org.deleteColumn(columnIn(req, req.params.columnId), actorOf(req)) }),
  );
};
