/**
 * The e-mails of a user account (a welcome with a link to set the password, a password reset link, a one-time sign-in
 * code), as the account flows hand them to the mail outbox. The link's token and the code are single-use: the outbox
 * seals them at rest and erases them once sent, and they never reach a log.
 */
export type AccountMessage = AccountMessageBase & ({ kind: 'welcome' | 'password-reset'; link: string } | { kind: 'mfa-code'; code: string });

/** A message carrying a link (welcome, reset). */
export type AccountLinkMessage = Extract<AccountMessage, { link: string }>;

interface AccountMessageBase {
  enterpriseId: string;
  userId: string;
  /** The user's e-mail address. */
  to: string;
  /** How the user is greeted (first and last name, or the user name). */
  name: string;
  language: 'en' | 'fr';
  /** When the link (the absolute address of the page that sets the password, its token in it) or the code stops working (epoch ms). */
  expiresAt: number;
}

export interface AccountMail {
  /** Queues the message durably: it resolves once the message is stored, and is sent (and retried) from the outbox. */
  queue(message: AccountMessage): Promise<void>;
}
