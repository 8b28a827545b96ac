/**
 * Second factors over the API: the second step of a sign-in (a code, an e-mail code, or adding an authenticator when
 * the enterprise requires one), a signed-in user's own factors and remembered devices (an administrator's reset of a
 * user's is with the users: routes/users.ts).
 * Codes travel in bodies only, never in a URL; the QR code of a new authenticator comes as SVG markup.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MFA_METHODS } from '../../auth/mfa.ts';
import type { TotpEnrolment } from '../../auth/mfa-factors.ts';
import type { AuthService, LoginResult } from '../../auth/service.ts';
import { PublicUserSchema } from '../../auth/users.ts';
import { renderBarcode } from '../barcode.ts';
import { ApiError } from '../errors.ts';
import { ok } from './common.ts';
import { sessionUser } from './sessions.ts';

/** A challenge token as sign-in gives it. */
export const ChallengeSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'not a challenge this service gave');
const CodeSchema = z.string().trim().min(6).max(20).describe('6 digits of the authenticator or of the e-mail, or a recovery code');
const Remember = z.boolean().optional().describe("do not ask this device for a second factor again for the enterprise's number of days");

export const SessionReplySchema = z.object({
  token: z.string(),
  tokenType: z.literal('Bearer'),
  expiresAt: z.string(),
  user: PublicUserSchema,
  deviceToken: z.string().optional().describe('keep it and send it with the next sign-in: no challenge on this device until it expires'),
  deviceExpiresAt: z.string().optional(),
});
export const MfaDueSchema = z.object({
  mfaRequired: z.literal(true),
  challenge: z.string().describe('send it back with the code to POST /auth/mfa/verify'),
  expiresAt: z.string(),
  methods: z.array(z.enum(MFA_METHODS)),
  enrol: z.boolean().describe('an authenticator must be added first: POST /auth/mfa/enrol'),
});
const EnrolmentSchema = z.object({ secret: z.string().describe('base32, to type into the app'), uri: z.string(), qrSvg: z.string().describe('the QR code of the URI, SVG') });
const RecoverySchema = z.object({ recoveryCodes: z.array(z.string()).describe('each works once; shown this time only') });
const DeviceParams = z.strictObject({ deviceId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a device id') });

export function sessionReply(r: LoginResult, device?: { token: string; expiresAt: number }): z.infer<typeof SessionReplySchema> {
  return {
    token: r.token,
    tokenType: 'Bearer',
    expiresAt: new Date(r.expiresAt).toISOString(),
    user: r.user,
    ...(device ? { deviceToken: device.token, deviceExpiresAt: new Date(device.expiresAt).toISOString() } : {}),
  };
}

async function enrolmentReply(e: TotpEnrolment): Promise<z.infer<typeof EnrolmentSchema>> {
  return { ...e, qrSvg: (await renderBarcode('qrcode', 'svg', e.uri)).toString('utf8') };
}

export const mfaRoutes: FastifyPluginAsyncZod<{ auth: AuthService }> = async (app, { auth }) => {
  const client = (req: { ip: string; headers: Record<string, unknown> }, rememberDevice?: boolean) => ({
    ip: req.ip,
    userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : undefined,
    rememberDevice,
  });

  app.post(
    '/auth/mfa/verify',
    {
      schema: {
        tags: ['auth'],
        summary: 'The second step of a sign-in: a code of the authenticator, a recovery code or the e-mailed code. Wrong codes count towards the lock-out; a challenge takes five at most',
        security: [],
        body: z.strictObject({ challenge: ChallengeSchema, method: z.enum(MFA_METHODS), code: CodeSchema, rememberDevice: Remember }),
        response: { 200: SessionReplySchema },
      },
    },
    async (req) => {
      const r = await auth.mfa.verify(req.body.challenge, req.body.method, req.body.code, client(req, req.body.rememberDevice));
      return sessionReply(r.session, r.device);
    },
  );

  app.post(
    '/auth/mfa/email',
    {
      schema: {
        tags: ['auth'],
        summary: 'Send a sign-in code to the e-mail address of the account being signed in (three per sign-in, 30 s apart)',
        security: [],
        body: z.strictObject({ challenge: ChallengeSchema }),
        response: { 202: z.object({ expiresAt: z.string() }) },
      },
    },
    async (req, reply) => {
      const r = await auth.mfa.sendEmailCode(req.body.challenge);
      return reply.code(202).send({ expiresAt: new Date(r.expiresAt).toISOString() });
    },
  );

  app.post(
    '/auth/mfa/enrol',
    {
      schema: { tags: ['auth'], summary: 'Within a sign-in that requires it: a new authenticator secret and its QR code', security: [], body: z.strictObject({ challenge: ChallengeSchema }), response: { 200: EnrolmentSchema } },
    },
    async (req) => enrolmentReply(await auth.mfa.beginEnrolment(req.body.challenge)),
  );

  app.post(
    '/auth/mfa/enrol/confirm',
    {
      schema: {
        tags: ['auth'],
        summary: "Within a sign-in: confirm the new authenticator with its first code; the session and the recovery codes",
        security: [],
        body: z.strictObject({ challenge: ChallengeSchema, code: CodeSchema, rememberDevice: Remember }),
        response: { 200: SessionReplySchema.extend(RecoverySchema.shape) },
      },
    },
    async (req) => {
      const r = await auth.mfa.confirmEnrolment(req.body.challenge, req.body.code, client(req, req.body.rememberDevice));
      return { ...sessionReply(r.session, r.device), recoveryCodes: r.recoveryCodes };
    },
  );

  app.get(
    '/auth/mfa',
    {
      schema: {
        tags: ['auth'],
        summary: 'Your second factors: the authenticator, recovery codes left, whether your organisation requires one, your remembered devices',
        response: ok(
          z.object({
            totp: z.boolean(),
            totpConfirmedAt: z.number().optional(),
            recoveryCodesLeft: z.number().int(),
            required: z.boolean(),
            emailCodes: z.boolean(),
            devices: z.array(z.object({ id: z.string(), label: z.string(), createdAt: z.number(), expiresAt: z.number(), lastUsedAt: z.number().optional() })),
          }),
        ),
      },
    },
    async (req) => auth.mfa.status(sessionUser(req).userId),
  );

  app.post(
    '/auth/mfa/totp',
    {
      schema: {
        tags: ['auth'],
        summary: 'Start adding your authenticator (or replacing it, with a current code of it or a recovery code): its secret and QR code',
        body: z.strictObject({ code: CodeSchema.optional() }).nullish(),
        response: ok(EnrolmentSchema),
      },
    },
    async (req) => enrolmentReply(await auth.mfa.beginOwnEnrolment(sessionUser(req).userId, req.body?.code)),
  );

  app.post(
    '/auth/mfa/totp/confirm',
    { schema: { tags: ['auth'], summary: 'Confirm your new authenticator with its first code: your recovery codes', body: z.strictObject({ code: CodeSchema }), response: ok(RecoverySchema) } },
    async (req) => ({ recoveryCodes: await auth.mfa.confirmOwnEnrolment(sessionUser(req).userId, req.body.code) }),
  );

  app.post(
    '/auth/mfa/totp/remove',
    {
      schema: { tags: ['auth'], summary: "Remove your authenticator, with a current code (refused, 409, while your organisation requires a second factor)", body: z.strictObject({ code: CodeSchema }) },
    },
    async (req, reply) => {
      await auth.mfa.removeOwn(sessionUser(req).userId, req.body.code);
      return reply.code(204).send();
    },
  );

  app.post(
    '/auth/mfa/recovery-codes',
    { schema: { tags: ['auth'], summary: 'New recovery codes, with a current code of your authenticator: the old ones stop working', body: z.strictObject({ code: CodeSchema }), response: ok(RecoverySchema) } },
    async (req) => ({ recoveryCodes: await auth.mfa.renewRecoveryCodes(sessionUser(req).userId, req.body.code) }),
  );

  app.delete(
    '/auth/mfa/devices/:deviceId',
    { schema: { tags: ['auth'], summary: 'Forget one of your remembered devices: its next sign-in asks for a second factor', params: DeviceParams } },
    async (req, reply) => {
      if (!(await auth.mfa.revokeDevice(sessionUser(req).userId, req.params.deviceId))) throw new ApiError('NOT_FOUND', `device ${JSON.stringify(req.params.deviceId)} not found`, 'params.deviceId');
      return reply.code(204).send();
    },
  );
};
