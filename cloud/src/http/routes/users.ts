import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuthService } from '../../auth/service.ts';
import { entityIdSchema } from '../../domain/model.ts';
import { CreateUserInputSchema, PublicUserSchema, UpdateUserInputSchema } from '../../auth/users.ts';

const UserParams = z.strictObject({ userId: entityIdSchema });
const UserReply = z.object({ user: PublicUserSchema });

export const userRoutes: FastifyPluginAsyncZod<{ auth: AuthService }> = async (app, { auth }) => {
  app.get(
    '/users',
    { schema: { tags: ['users'], summary: 'List users', response: { 200: z.object({ users: z.array(PublicUserSchema) }) } } },
    async () => ({ users: await auth.listUsers() }),
  );
  app.post(
    '/users',
    { schema: { tags: ['users'], summary: 'Create a user', body: CreateUserInputSchema, response: { 201: UserReply } } },
    async (req, reply) => reply.code(201).send({ user: await auth.createUser(req.body) }),
  );
  app.get(
    '/users/:userId',
    { schema: { tags: ['users'], summary: 'One user', params: UserParams, response: { 200: UserReply } } },
    async (req) => ({ user: await auth.getUser(req.params.userId) }),
  );
  app.patch(
    '/users/:userId',
    {
      schema: {
        tags: ['users'],
        summary: 'Change role, password, links, or disable a user',
        params: UserParams,
        body: UpdateUserInputSchema,
        response: { 200: UserReply },
      },
    },
    async (req) => ({ user: await auth.updateUser(req.params.userId, req.body) }),
  );
  app.delete(
    '/users/:userId',
    { schema: { tags: ['users'], summary: 'Remove a user', params: UserParams } },
    async (req, reply) => {
      await auth.deleteUser(req.params.userId);
      return reply.code(204).send();
    },
  );
};
