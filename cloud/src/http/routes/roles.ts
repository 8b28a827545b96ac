import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LockerService } from '../../domain/service.ts';
import { createRoleInput, entityIdSchema, PERMISSION_TEXTS, permissionSchema, roleRecordSchema, updateRoleInput } from '../../domain/model.ts';
import { scopeOf } from '../scope.ts';
import { actorOf, created, ok } from './common.ts';

const RoleParams = z.strictObject({ roleId: entityIdSchema });
const RoleReply = z.object({ role: roleRecordSchema });

/** Roles: the predefined ones and the enterprise's own, with the catalogue of permissions they are made of. */
export const roleRoutes: FastifyPluginAsyncZod<{ service: LockerService }> = async (app, { service }) => {
  const enterpriseOf = (req: Parameters<typeof scopeOf>[0]) => scopeOf(req, service.store).enterpriseId;
  app.get(
    '/permissions',
    {
      schema: {
        tags: ['roles'],
        summary: 'The catalogue of permissions a role is made of, each with what it allows',
        response: ok(z.object({ permissions: z.array(z.object({ id: permissionSchema, description: z.string() })) })),
      },
    },
    async () => ({ permissions: Object.entries(PERMISSION_TEXTS).map(([id, description]) => ({ id: permissionSchema.parse(id), description })) }),
  );
  app.get('/roles', { schema: { tags: ['roles'], summary: 'The predefined roles and the enterprise\'s own', response: ok(z.object({ roles: z.array(roleRecordSchema) })) } }, async (req) => ({
    roles: await service.roles.listRoles(enterpriseOf(req)),
  }));
  app.post(
    '/roles',
    { schema: { tags: ['roles'], summary: 'Make a role: a name and a set of permissions', body: createRoleInput.omit({ enterpriseId: true }), response: created(RoleReply) } },
    async (req, reply) => {
      scopeOf(req, service.store).requireHolds(req.body.permissions, 'body.permissions');
      return reply.code(201).send({ role: await service.roles.createRole({ ...req.body, enterpriseId: enterpriseOf(req) }, actorOf(req)) });
    },
  );
  app.get('/roles/:roleId', { schema: { tags: ['roles'], summary: 'One role', params: RoleParams, response: ok(RoleReply) } }, async (req) => ({
    role: await service.roles.getRole(enterpriseOf(req), req.params.roleId),
  }));
  app.patch(
    '/roles/:roleId',
    { schema: { tags: ['roles'], summary: "Rename a role or change its permissions (the predefined roles cannot be changed); applies to its users' next request", params: RoleParams, body: updateRoleInput, response: ok(RoleReply) } },
    async (req) => {
      // Nobody makes a role hold more than they hold, nor changes a role that holds more (its users' rights).
      const scope = scopeOf(req, service.store);
      scope.requireGrantable(req.params.roleId, 'params.roleId');
      if (req.body.permissions !== undefined) scope.requireHolds(req.body.permissions, 'body.permissions');
      return { role: await service.roles.updateRole(enterpriseOf(req), req.params.roleId, req.body, actorOf(req)) };
    },
  );
  app.delete(
    '/roles/:roleId',
    { schema: { tags: ['roles'], summary: 'Delete a role nobody holds (the predefined roles cannot be deleted)', params: RoleParams } },
    async (req, reply) => {
      await service.roles.deleteRole(enterpriseOf(req), req.params.roleId, actorOf(req));
      return reply.code(204).send();
    },
  );
};
