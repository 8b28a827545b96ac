import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AuthService } from '../../auth/service.ts';
import type { LockerService } from '../../domain/service.ts';
import { entityIdSchema } from '../../domain/model.ts';
import { CreateUserBodySchema, PublicUserSchema, UpdateUserInputSchema, type PublicUser } from '../../auth/users.ts';
import { ApiError } from '../errors.ts';
import { scopeOf } from '../scope.ts';
import { actorOf } from './common.ts';

const UserParams = z.strictObject({ userId: entityIdSchema });
const UserReply = z.object({ user: PublicUserSchema });
const UserQuery = z.strictObject({ q: z.string().max(200).optional() });

/**
 * Users of the caller's enterprise whose access level lies inside the caller's: a location's manager sees and
 * changes that location's users, never the enterprise's administrators. Nobody hands out a level beyond their own.
 */
export const userRoutes: FastifyPluginAsyncZod<{ auth: AuthService; service: LockerService }> = async (app, { auth, service }) => {
  const scope = (req: FastifyRequest) => scopeOf(req, service.store);
  const inScope = (req: FastifyRequest, u: PublicUser): boolean => scope(req).hasEnterprise(u.enterpriseId) && scope(req).holdsLevel(u.accessLevel);
  const mustSee = async (req: FastifyRequest, id: string): Promise<PublicUser> => {
    const u = await auth.getUser(id);
    if (!inScope(req, u)) throw new ApiError('NOT_FOUND', `user ${JSON.stringify(id)} not found`, 'params.userId');
    return u;
  };
  const mayGrant = (req: FastifyRequest, level: PublicUser['accessLevel'] | undefined, field: string): void => {
    if (level !== undefined && !scope(req).holdsLevel(level)) {
      throw new ApiError('NOT_FOUND', `${level.kind} ${level.kind === 'enterprise' ? scope(req).enterpriseId : JSON.stringify(level.id)} not found`, field);
    }
  };

  app.get(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'List the users in your scope; with q, those whose name, user name, e-mail or employee ID holds it (prefix matches first)',
        querystring: UserQuery,
        response: { 200: z.object({ users: z.array(PublicUserSchema) }) },
      },
    },
    async (req) => {
      const { enterpriseId } = scope(req);
      const users = req.query.q !== undefined ? await auth.searchUsers(enterpriseId, req.query.q) : await auth.listUsers(enterpriseId);
      return { users: users.filter((u) => inScope(req, u)) };
    },
  );
  app.post(
    '/users',
    { schema: { tags: ['users'], summary: 'Create a user of your enterprise (access level: the enterprise unless given)', body: CreateUserBodySchema, response: { 201: UserReply } } },
    async (req, reply) => {
      mayGrant(req, req.body.accessLevel ?? { kind: 'enterprise' }, 'body.accessLevel');
      return reply.code(201).send({ user: await auth.createUser({ ...req.body, enterpriseId: scope(req).enterpriseId }, actorOf(req)) });
    },
  );
  app.get(
    '/users/:userId',
    { schema: { tags: ['users'], summary: 'One user', params: UserParams, response: { 200: UserReply } } },
    async (req) => ({ user: await mustSee(req, req.params.userId) }),
  );
  app.patch(
    '/users/:userId',
    {
      schema: {
        tags: ['users'],
        summary: 'Edit a user: names, e-mail, language, employee ID, badge, role, access level, password, links, disabled (null clears a field)',
        params: UserParams,
        body: UpdateUserInputSchema,
        response: { 200: UserReply },
      },
    },
    async (req) => {
      await mustSee(req, req.params.userId);
      mayGrant(req, req.body.accessLevel, 'body.accessLevel');
      return { user: await auth.updateUser(req.params.userId, req.body, actorOf(req)) };
    },
  );
  app.delete(
    '/users/:userId',
    { schema: { tags: ['users'], summary: 'Remove a user', params: UserParams } },
    async (req, reply) => {
      await mustSee(req, req.params.userId);
      await auth.deleteUser(req.params.userId, actorOf(req));
      return reply.code(204).send();
    },
  );
};
