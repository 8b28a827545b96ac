/**
 * The OpenAPI document says who may call each operation, read from the access table itself (access.ts), so the
 * document cannot drift from the check the server makes: an `x-permission` list (any one of them suffices) and a
 * sentence at the end of the operation's description.
 */
import type { Access } from '../auth/roles.ts';
import { ROUTE_ACCESS, accessKey } from './access.ts';

/** `x-permission`: the permissions of the route (any one), or `public`, `signed-in`, `platform`. */
export function permissionList(access: Access): string[] {
  return typeof access === 'string' ? [access] : [...access];
}

/** The sentence a reader of the document sees. */
export function permissionSentence(access: Access): string {
  if (access === 'public') return 'Access: public, no sign-in needed.';
  if (access === 'signed-in') return 'Access: any signed-in user.';
  if (access === 'platform') return "Access: the cloud's own operators (platform administrators) only.";
  const list = permissionList(access).map((p) => `\`${p}\``);
  return list.length === 1 ? `Required permission: ${list[0]}.` : `Required permission: one of ${list.join(', ')}.`;
}

/** An operation's schema with its access rule added (unchanged for a route outside the table, or hidden). */
export function withAccess<S extends { hide?: boolean; description?: string }>(schema: S, method: string, url: string): S {
  const entry = ROUTE_ACCESS[accessKey(method, url)];
  if (!entry || schema.hide) return schema;
  const sentence = permissionSentence(entry.access);
  return {
    ...schema,
    'x-permission': permissionList(entry.access),
    description: schema.description ? `${schema.description.trimEnd()} ${sentence}` : sentence,
  };
}
