export { OfflineAccess, type CredentialCheck, type CredentialGrant, type CredentialRefusal } from './credentials.ts';
export { CredentialChecker, type CredentialSource, type CredentialCheckerOptions } from './credential-checker.ts';
