/** The addresses of the browser sign-in pages (sso-pages.ts), for the API's answers and the pages' own links. */
export const SSO_PAGES = {
  /** The signed-in page. */
  account: '/account',
  /** Where a browser goes once signed in: the console (which sends a role without any of its screens to the account page). */
  home: '/console',
  signIn: '/account/sign-in',
  signOut: '/account/sign-out',
  /** Where the identity provider sends the browser back (the redirect URI registered with it). */
  callback: '/account/sso/callback',
  /** Starts the sign-in of an enterprise's people through its identity provider. */
  start: (enterpriseId: string) => `/account/sso/${encodeURIComponent(enterpriseId)}`,
} as const;

/** A page of the console to come back to after signing in: a path under /console only (never another site). */
export function consolePath(path: string | null | undefined): string | undefined {
  return path && /^\/console(\/[\w\-./%?=&]*)?$/.test(path) && !path.includes('//') ? path : undefined;
}
