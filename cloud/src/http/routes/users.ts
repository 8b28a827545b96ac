import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AuthService } from '../../auth/service.ts';
import type { LockerService } from '../../domain/service.ts';
import { entityIdSchema, epochMs } from '../../domain/model.ts';
import { CreateUserBodySchema, PublicUserSchema, UpdateUserInputSchema, type PublicUser } from '../../auth/users.ts';
import { ApiError } from '../errors.ts';
import { scopeOf } from '../scope.ts';
import { USERS_CSV_MAX_BYTES, type UserView } from '../../domain/use-cases/users-csv.ts';
import { Replies } from '../schemas.ts';
import { acceptCsv, answerImport, csvBody, csvReply, importReplies, refuseLargeCsv, sendCsv } from './csv-files.ts';
import { actorOf, ok } from './common.ts';
import { showCustomValues } from './custom-fields.ts';

const UserParams = z.strictObject({ userId: entityIdSchema });
const UserReply = z.object({ user: PublicUserSchema });
/** A user as the administration lists it: the record and the account's state (lock-out, authenticator set up). */
export const UserWithStateSchema = PublicUserSchema.extend({
  lockedUntil: epochMs.optional().describe('the account is locked after failed sign-ins until then (epoch ms); absent when it is not locked'),
  mfa: z.object({ totp: z.boolean().describe('an authenticator app is set up') }),
});
export const UsersReply = z.object({ users: z.array(UserWithStateSchema) });
export const UserStateReply = z.object({ user: UserWithStateSchema });
const UserQuery = z.strictObject({ q: z.string().max(200).optional() });

/**
 * Users of the caller's enterprise whose access level lies inside the caller's: a location's manager sees and
 * changes that location's users, never the enterprise's administrators. Nobody hands out a level beyond their own,
 * nor a role with a right they lack, nor changes a user who holds such a right (403).
 */
export const userRoutes: FastifyPluginAsyncZod<{ auth: AuthService; service: LockerService }> = async (app, { auth, service }) => {
  const scope = (req: FastifyRequest) => scopeOf(req, service.store);
  const inScope = (req: FastifyRequest, u: Pick<PublicUser, 'enterpriseId' | 'accessLevel'>): boolean => scope(req).hasEnterprise(u.enterpriseId) && scope(req).holdsLevel(u.accessLevel);
  const mustSee = async (req: FastifyRequest, id: string): Promise<PublicUser> => {
    const u = await auth.getUser(id);
    if (!inScope(req, u)) throw new ApiError('NOT_FOUND', `user ${JSON.stringify(id)} not found`, 'params.userId');
    return u;
  };
  // Changing a user who holds rights the caller lacks (a password, a role, removal) would hand those rights over.
  const mustChange = async (req: FastifyRequest, id: string): Promise<void> => {
    const u = await mustSee(req, id);
    scope(req).requireGrantable(u.role, 'params.userId');
  };
  const mayGrant = (req: FastifyRequest, level: PublicUser['accessLevel'] | undefined, field: string): void => {
    if (level !== undefined && !scope(req).holdsLevel(level)) {
      throw new ApiError('NOT_FOUND', `${level.kind} ${level.kind === 'enterprise' ? scope(req).enterpriseId : JSON.stringify(level.id)} not found`, field);
    }
  };

  const withState = (u: PublicUser) => ({ ...u, ...auth.accountState(u.id) });
  const userView = (req: FastifyRequest): UserView => ({ enterpriseId: scope(req).enterpriseId, user: (u) => inScope(req, u), level: (l) => scope(req).holdsLevel(l), role: (r) => scope(req).lacks(r.permissions) });
  acceptCsv(app);
  app.addHook('onRequest', refuseLargeCsv('users', USERS_CSV_MAX_BYTES));
  showCustomValues(app, service, 'users', ['user', 'users']);

  app.get(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'List the users in your scope; with q, those whose name, user name, e-mail, employee ID or a custom field value holds it (prefix matches first)',
        querystring: UserQuery,
        response: { 200: UsersReply },
      },
    },
    async (req) => {
      const { enterpriseId } = scope(req);
      const users = req.query.q !== undefined ? await auth.searchUsers(enterpriseId, req.query.q) : await auth.listUsers(enterpriseId);
      return { users: users.filter((u) => inScope(req, u)).map(withState) };
    },
  );
  app.post(
    '/users',
    { schema: { tags: ['users'], summary: 'Create a user of your enterprise (access level: the enterprise unless given; a role with a right you lack is refused, 403)', body: CreateUserBodySchema, response: { 201: UserReply } } },
    async (req, reply) => {
      mayGrant(req, req.body.accessLevel ?? { kind: 'enterprise' }, 'body.accessLevel');
      scope(req).requireGrantable(req.body.role, 'body.role');
      return reply.code(201).send({ user: await auth.createUser({ ...req.body, enterpriseId: scope(req).enterpriseId }, actorOf(req)) });
    },
  );
  app.get(
    '/users/export',
    { schema: { tags: ['users'], summary: 'Every user you may see that has an e-mail (the file is keyed by e-mail) as CSV (DESIGN "CSV formats": Email, FirstName, LastName, Role, AccessLevel, EmployeeID, Language, BadgeID, then one column per custom field on users by English label); formula cells escaped', response: csvReply } },
    async (req, reply) => sendCsv(reply, 'users.csv', await service.userCsv.export(userView(req))),
  );
  app.get(
    '/users/template',
    { schema: { tags: ['users'], summary: "The users CSV template: its header row (the enterprise's custom fields on users last)", response: csvReply } },
    async (req, reply) => sendCsv(reply, 'users-template.csv', service.userCsv.template(scope(req).enterpriseId)),
  );
  app.post(
    '/users/import',
    {
      bodyLimit: USERS_CSV_MAX_BYTES,
      schema: {
        tags: ['users'],
        summary:
          'Import users from a CSV body (`content-type: text/csv`, at most 1 MB): a row whose e-mail (any case) a user of yours has updates that user, any other row adds one (user name: the e-mail). Role: a role id or name; AccessLevel: `enterprise` or a division or location id inside yours. Checked whole first: any bad row answers 422 with every problem and nothing is written. Users added get no password: each is sent a welcome e-mail with a link to set it, or an administrator sets one with PATCH /users/{userId} `password`',
        body: csvBody,
        response: importReplies({}),
      },
    },
    async (req, reply) =>
      answerImport(reply, 'users', async () => {
        const r = await auth.importUsers(req.body, actorOf(req), userView(req));
        if (!r.ok) return r;
        // Who was signed out or welcomed is the server's business, not the answer's.
        const { signOut: _signOut, created: _created, ...result } = r;
        return result;
      }),
  );
  app.get(
    '/users/:userId/staff-credentials',
    {
      schema: {
        tags: ['users'],
        summary: "The user's kiosk PINs and badges, revoked and expired ones included (never a code or a hash)",
        params: UserParams,
        response: ok(Replies.staffCredentials),
      },
    },
    async (req) => {
      await mustSee(req, req.params.userId);
      return { staffCredentials: (await service.listStaffCredentials()).filter((c) => c.subjectId === req.params.userId) };
    },
  );
  app.get(
    '/users/:userId',
    { schema: { tags: ['users'], summary: "One user, with the account's state (locked, authenticator set up)", params: UserParams, response: { 200: UserStateReply } } },
    async (req) => ({ user: withState(await mustSee(req, req.params.userId)) }),
  );
  app.patch(
    '/users/:userId',
    {
      schema: {
        tags: ['users'],
        summary: 'Edit a user: names, e-mail, language, employee ID, badge, role, access level, password, links, disabled, custom field values (null clears a field)',
        params: UserParams,
        body: UpdateUserInputSchema,
        response: { 200: UserReply },
      },
    },
    async (req) => {
      await mustChange(req, req.params.userId);
      mayGrant(req, req.body.accessLevel, 'body.accessLevel');
      if (req.body.role !== undefined) scope(req).requireGrantable(req.body.role, 'body.role');
      return { user: await auth.updateUser(req.params.userId, req.body, actorOf(req)) };
    },
  );
  app.post(
    '/users/:userId/unlock',
    {
      schema: {
        tags: ['users'],
        summary: 'End the lock-out of a user whose account locked after failed sign-ins (recorded in the activity log); `unlocked` says whether it was locked',
        params: UserParams,
        response: { 200: UserReply.extend({ unlocked: z.boolean() }) },
      },
    },
    async (req) => {
      const user = await mustSee(req, req.params.userId);
      return { user, unlocked: await auth.unlock(user.id, actorOf(req)) };
    },
  );
  app.post(
    '/users/:userId/mfa/reset',
    {
      schema: {
        tags: ['users'],
        summary: "Reset a user's second factors (a lost phone): their authenticator, recovery codes and remembered devices are gone; they add one again where their organisation requires it. `reset` says whether they had any",
        params: UserParams,
        response: { 200: UserReply.extend({ reset: z.boolean() }) },
      },
    },
    async (req) => {
      await mustChange(req, req.params.userId);
      const user = await auth.getUser(req.params.userId);
      return { user, reset: await auth.mfa.reset(user.id, actorOf(req)) };
    },
  );
  app.delete(
    '/users/:userId',
    { schema: { tags: ['users'], summary: 'Remove a user', params: UserParams } },
    async (req, reply) => {
      await mustChange(req, req.params.userId);
      await auth.deleteUser(req.params.userId, actorOf(req));
      return reply.code(204).send();
    },
  );
};
