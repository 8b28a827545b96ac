/**
 * `GET /banks/:bankId/controllers`: the columns of a bank as they stand (left to right) with their controller's link
 * state: online or not, when last heard, and each door open, closed or `unknown` (always `unknown` while the
 * controller is offline: what it last said may no longer be true). Without an MQTT link (an API-only server) every
 * controller reads as offline.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LockerService } from '../../domain/service.ts';
import { epochMs } from '../../domain/model.ts';
import { scopeOf } from '../scope.ts';
import { ERRORS } from '../schemas.ts';
import { BankParams } from './common.ts';

/** What the cloud's link knows of a controller (sync/cloud-link.ts). */
export interface ControllerStates {
  controller(controllerId: string): { online: boolean; lastSeen: number | null } | undefined;
  doorStates(controllerId: string): ReadonlyArray<{ door: number; state: 'open' | 'closed' | 'unknown' }>;
}

export const ControllerStatusSchema = z.object({
  columnId: z.string(),
  position: z.number().int(),
  kind: z.enum(['kiosk', 'plain']),
  controllerId: z.string(),
  online: z.boolean(),
  lastSeen: epochMs.nullable().describe('when the cloud last heard from it (null: never since the cloud started)'),
  doors: z.array(z.object({ door: z.number().int(), state: z.enum(['open', 'closed', 'unknown']) })),
});
export const ControllersReply = z.object({ controllers: z.array(ControllerStatusSchema) });

export const controllerRoutes: FastifyPluginAsyncZod<{ service: LockerService; states: ControllerStates | undefined }> = async (app, { service, states }) => {
  app.get(
    '/banks/:bankId/controllers',
    {
      schema: {
        tags: ['lockers'],
        summary: "A bank's columns, left to right, with their controller online or offline and each door's state (unknown while offline)",
        params: BankParams,
        response: { 200: ControllersReply, ...ERRORS },
      },
    },
    async (req) => {
      scopeOf(req, service.store).requireBank(req.params.bankId, 'params.bankId');
      const columns = service.store
        .list('columns')
        .filter((c) => c.bankId === req.params.bankId)
        .sort((a, b) => a.position - b.position);
      return {
        controllers: columns.map((c) => {
          const view = states?.controller(c.controllerId);
          const online = view?.online ?? false;
          return {
            columnId: c.id,
            position: c.position,
            kind: c.kind,
            controllerId: c.controllerId,
            online,
            lastSeen: view?.lastSeen ?? null,
            doors: (states?.doorStates(c.controllerId) ?? []).map((d) => ({ door: d.door, state: online ? d.state : ('unknown' as const) })),
          };
        }),
      };
    },
  );
};
