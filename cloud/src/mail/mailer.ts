/**
 * The SMTP side of the outbox: one nodemailer transport built from the config's `mail` section. TLS is required
 * (implicit, or STARTTLS the server must offer) except for a relay on loopback configured with `tls: 'none'`. The
 * password is read from `passwordFile` or `PORTIER_CLOUD_SMTP_PASSWORD` and handed to nodemailer only: never logged.
 */
import { readFileSync } from 'node:fs';
import type { Transporter } from 'nodemailer';
import type { CloudConfig } from '../config/config.ts';
import type { RenderedMail } from './templates.ts';

export type MailConfig = NonNullable<CloudConfig['mail']>;
export const SMTP_PASSWORD_ENV = 'PORTIER_CLOUD_SMTP_PASSWORD';

export interface Envelope {
  /** The message's stable Message-ID (without brackets): a resend carries the same one. */
  messageId: string;
  to: string;
}

/** What the outbox sends through (a transport, or a stand-in in tests). */
export interface Mailer {
  send(envelope: Envelope, mail: RenderedMail): Promise<void>;
  close(): void;
}

function password(cfg: MailConfig, env: NodeJS.ProcessEnv): string | undefined {
  if (cfg.passwordFile) return readFileSync(cfg.passwordFile, 'utf8').replace(/\r?\n$/, '');
  return env[SMTP_PASSWORD_ENV] || undefined;
}

/** The Message-ID's domain: the sender's. */
export function messageIdOf(id: string, cfg: Pick<MailConfig, 'from'>): string {
  return `<${id}@${cfg.from.address.split('@')[1]}>`;
}

export function smtpMailer(cfg: MailConfig, env: NodeJS.ProcessEnv = process.env): Mailer {
  const pass = password(cfg, env);
  // nodemailer is loaded at the first message: it is large, and a cloud that sends nothing (or a CLI run) never needs it.
  let transport: Promise<Transporter> | undefined;
  const open = async (): Promise<Transporter> => (await import('nodemailer')).createTransport({
    host: cfg.host,
    port: cfg.port,
    secure: cfg.secure,
    requireTLS: !cfg.secure && cfg.tls === 'required',
    ignoreTLS: cfg.tls === 'none',
    ...(cfg.user ? { auth: { user: cfg.user, ...(pass !== undefined ? { pass } : {}) } } : {}),
    tls: { rejectUnauthorized: cfg.rejectUnauthorized, ...(cfg.caFile ? { ca: readFileSync(cfg.caFile) } : {}) },
    connectionTimeout: cfg.timeoutSeconds * 1000,
    greetingTimeout: cfg.timeoutSeconds * 1000,
    socketTimeout: cfg.timeoutSeconds * 1000,
    // nodemailer's own logger stays off: it would print the message and the AUTH exchange.
    logger: false,
    debug: false,
  });
  return {
    async send(envelope, mail) {
      transport ??= open();
      await (await transport).sendMail({
        from: { name: cfg.from.name, address: cfg.from.address },
        to: envelope.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        attachments: mail.attachments,
        messageId: messageIdOf(envelope.messageId, cfg),
        // No X-Mailer banner telling which library and version runs here.
        xMailer: false,
      });
    },
    close: () => void transport?.then((t) => t.close(), () => undefined),
  };
}

/** A one-line reason of a failed send, without the message or an address: nodemailer's errors carry the server's reply. */
export function sendProblem(err: unknown): string {
  const e = err as { responseCode?: number; response?: string; code?: string; message?: string };
  const text = e.response ?? e.message ?? String(err);
  // A server's refusal often quotes the recipient: the reason is shown on the reservation and in the activity log,
  // which name no address.
  return `${e.responseCode ?? e.code ?? 'error'}: ${text}`.replace(/\s+/g, ' ').replace(/[^\s<>:;,]+@[^\s<>:;,]+/g, '(address)').slice(0, 300);
}
