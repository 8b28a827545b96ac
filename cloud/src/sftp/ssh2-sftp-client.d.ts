// The part of ssh2-sftp-client (12.x, no types of its own) the SFTP import uses.
declare module 'ssh2-sftp-client' {
  import type { Writable } from 'node:stream';

  export interface ConnectOptions {
    host: string;
    port: number;
    username: string;
    password?: string;
    privateKey?: string | Buffer;
    passphrase?: string;
    /** Called with the server's raw host key; false refuses the connection. */
    hostVerifier?: (key: Buffer) => boolean;
    readyTimeout?: number;
    tryKeyboard?: boolean;
    keepaliveInterval?: number;
  }

  export interface FileStats {
    size: number;
    isFile: boolean;
    isDirectory: boolean;
  }

  export interface GlobalCallbacks {
    error?: (err: Error) => void;
    end?: () => void;
    close?: () => void;
  }

  export default class SftpClient {
    constructor(clientName?: string, callbacks?: GlobalCallbacks);
    connect(options: ConnectOptions): Promise<unknown>;
    stat(remotePath: string): Promise<FileStats>;
    get(remotePath: string, dst: Writable): Promise<Writable>;
    end(): Promise<boolean>;
  }
}
