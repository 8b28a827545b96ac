export { OfflineAccess, type CredentialCheck, type CredentialGrant, type CredentialRefusal } from './credentials.ts';
