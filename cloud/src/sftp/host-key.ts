/** Host keys of SFTP servers: the fingerprint pinned on first use and compared on every later connection. */
import { createHash } from 'node:crypto';
import { CloudError } from '../errors.ts';

/** The SHA-256 fingerprint of a raw SSH public key blob, as OpenSSH prints it (`ssh-keygen -l`): `SHA256:` + base64. */
export function hostKeyFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** Refused: the server showed another host key than the one pinned. */
export class HostKeyChanged extends CloudError<'HOST_KEY_CHANGED'> {
  override name = 'HostKeyChanged';
  constructor(
    readonly pinned: string,
    readonly presented: string,
  ) {
    super(
      'HOST_KEY_CHANGED',
      `the server's host key changed (pinned ${pinned}, presented ${presented}): nothing was imported; if the server's key was replaced on purpose, forget the pinned key (DELETE /api/v1/sftp-import/host-key or portier sftp forget-host-key) and run again`,
    );
  }
}
