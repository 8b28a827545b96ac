/**
 * The stored shapes of second factors (auth/mfa*.ts): a user's factors, the sign-in challenges waiting for one, and the
 * browsers a user chose not to be challenged on. The store imports this, so it imports nothing of the store.
 * Nothing here is a usable secret in clear: the TOTP secret is sealed by the code vault, recovery codes and challenge
 * tokens are kept as SHA-256 hashes, an e-mail code as a keyed MAC, a remembered device by its id only (its token is
 * signed, see mfa-devices.ts).
 */
import { z } from 'zod';

const epoch = z.number().int().min(0);

export const mfaFactorsSchema = z.strictObject({
  userId: z.string().min(1),
  enterpriseId: z.string().min(1),
  /** The confirmed authenticator's secret, sealed (`CodeVault.sealSecret('totp:<userId>', …)`). */
  totpSecret: z.string().optional(),
  totpConfirmedAt: epoch.optional(),
  /** The step of the last code accepted: a code is good once. */
  totpLastStep: z.number().int().optional(),
  /** A secret being enrolled (shown as a QR code, not confirmed by a code yet), sealed like `totpSecret`. */
  pendingSecret: z.string().optional(),
  pendingAt: epoch.optional(),
  /** SHA-256 hex of each recovery code given at the last enrolment or renewal; a used one has `usedAt`. */
  recoveryCodes: z.array(z.strictObject({ hash: z.string().length(64), usedAt: epoch.optional() })).max(20),
  updatedAt: epoch,
});
export type MfaFactors = z.infer<typeof mfaFactorsSchema>;

export const mfaChallengeSchema = z.strictObject({
  /** SHA-256 hex of the challenge token the client holds between its password and its second factor. */
  id: z.string().length(64),
  userId: z.string().min(1),
  enterpriseId: z.string().min(1),
  createdAt: epoch,
  expiresAt: epoch,
  /** Wrong codes given; the challenge dies at MAX_CHALLENGE_ATTEMPTS. */
  attempts: z.number().int().min(0),
  /** Whether the user must first enrol an authenticator (their enterprise requires a second factor and they have none). */
  enrol: z.boolean(),
  /** The code last sent by e-mail: its keyed MAC, when it was sent, how many were sent. */
  email: z.strictObject({ mac: z.string().min(1), sentAt: epoch, expiresAt: epoch, sends: z.number().int().min(1) }).optional(),
  /** Set once the challenge has served: a token opens one session. */
  usedAt: epoch.optional(),
});
export type MfaChallenge = z.infer<typeof mfaChallengeSchema>;

export const mfaDeviceSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{16}$/),
  userId: z.string().min(1),
  enterpriseId: z.string().min(1),
  /** What the browser said it was when remembered (its User-Agent, shortened), so its user can tell it apart. */
  label: z.string().max(120),
  createdAt: epoch,
  expiresAt: epoch,
  lastUsedAt: epoch.optional(),
  revokedAt: epoch.optional(),
});
export type MfaDevice = z.infer<typeof mfaDeviceSchema>;
