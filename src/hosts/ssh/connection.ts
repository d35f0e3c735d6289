/**
 * One SSH connection (ssh2) to one host, as the backend uses it: commands run through the
 * user's shell (through `sudo -n` where root is needed and the user is not root), SFTP, and
 * long-lived channels. A connection lost during a run is made again on the next use (trying for
 * a while, as a host may be rebooting); listeners hear of each loss, so what lived on the old
 * connection (fault proxies) can be started again. Host keys are checked against a known_hosts
 * file unless checking is off. Every way a first connection fails becomes one line naming the
 * host and what to do: unreachable, key refused, host key changed or unknown, key unreadable.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AuthenticationType, Client, ClientChannel, ConnectConfig, SFTPWrapper } from 'ssh2';
import { lazyRequire } from '../../lazy-require.js';
import { abortableSleep } from '../../abortable-sleep.js';
import { UserError } from '../../user-error.js';
import type { SshHostConfig } from './inventory.js';
import { fingerprint, knownHostsName, listedKeyAlgorithms, verifyHostKey, type HostKeyVerdict } from './known-hosts.js';

/** How host keys are checked. */
export interface HostTrust {
  /** The known_hosts file and its text. */
  file: string;
  text: string;
  strict: boolean;
}

export interface ExecOptions {
  /** Written to the command's stdin, which is then closed. */
  input?: string | Buffer;
  timeoutMs?: number;
  /** Run as root: through `sudo -n` when the host says so. */
  root?: boolean;
}

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** ssh2, loaded when a host is first dialled. */
const ssh2 = lazyRequire<typeof import('ssh2')>('ssh2');

const READY_TIMEOUT_MS = 20_000;
const KEEPALIVE_MS = 5_000;
const KEEPALIVE_COUNT = 4;
const DEFAULT_EXEC_TIMEOUT_MS = 60_000;
/** How long a lost connection is retried before operations on it fail. */
const RECONNECT_FOR_MS = 30_000;
const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];
/**
 * Commands run at once on one connection. sshd allows 10 sessions per connection by default
 * (MaxSessions); this leaves room for the SFTP session and a fault proxy's channel.
 */
const MAX_COMMANDS = 6;

/** A remote command that failed: the message is one line naming the host and the command. */
export class RemoteCommandError extends Error {
  override readonly name = 'RemoteCommandError';
  constructor(
    readonly host: string,
    readonly what: string,
    readonly result: ExecResult,
  ) {
    const said = result.stderr.trim().split('\n').slice(-2).join(' / ') || result.stdout.trim().split('\n').slice(-1)[0] || '';
    super(`host ${host}: ${what} failed (${result.code === null ? 'killed' : `exit ${result.code}`})${said ? `: ${said}` : ''}`);
  }
}

/** A string as one word of a POSIX shell command line. */
export function shq(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export class SshConnection {
  private current: Promise<Client> | undefined;
  private sftpSession: Promise<SFTPWrapper> | undefined;
  private closing = false;
  private everReady = false;
  private readonly lostListeners = new Set<() => void>();
  private commands = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly host: SshHostConfig,
    private readonly trust: HostTrust,
  ) {}

  /** `user@address:port`, for messages. */
  get where(): string {
    return `${this.host.user}@${this.host.address}:${this.host.port}`;
  }

  /** Connect now. @throws UserError with one line when the host cannot be reached or refuses us. */
  async open(): Promise<void> {
    await this.client();
  }

  /** Called whenever the connection drops while in use (it is made again on the next use). */
  onLost(listener: () => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  /** Run `script` with the user's shell (as root via `sudo -n sh -c` when asked and needed). */
  async exec(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    while (this.commands >= MAX_COMMANDS) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.commands++;
    try {
      return await this.execNow(opts.root ? this.asRoot(script) : script, opts);
    } finally {
      this.commands--;
      this.waiting.shift()?.();
    }
  }

  private async execNow(script: string, opts: ExecOptions): Promise<ExecResult> {
    const channel = await this.channel(script);
    return new Promise((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      const timeoutMs = opts.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
      const timer = setTimeout(() => {
        channel.close();
        reject(new Error(`host ${this.host.name}: a command took longer than ${timeoutMs / 1000} s: ${script.slice(0, 120)}`));
      }, timeoutMs);
      channel.on('data', (b: Buffer) => (stdout += b.toString()));
      channel.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      channel.on('close', (code: number | null) => {
        clearTimeout(timer);
        resolve({ code: code ?? null, stdout, stderr });
      });
      channel.end(opts.input ?? '');
    });
  }

  /** {@link exec}, resolving with stdout. @throws RemoteCommandError on a non-zero exit, saying `what` failed. */
  async run(script: string, what: string, opts: ExecOptions = {}): Promise<string> {
    const result = await this.exec(script, opts);
    if (result.code !== 0) throw new RemoteCommandError(this.host.name, what, result);
    return result.stdout;
  }

  /** A channel running `script`; the caller reads, writes and closes it. */
  async channel(script: string): Promise<ClientChannel> {
    const client = await this.client();
    return new Promise((resolve, reject) => client.exec(script, (err, channel) => (err ? reject(err) : resolve(channel))));
  }

  /** The SFTP session of the current connection (opened once per connection). */
  sftp(): Promise<SFTPWrapper> {
    return (this.sftpSession ??= this.client().then(
      (client) => new Promise<SFTPWrapper>((resolve, reject) => client.sftp((err, sftp) => (err ? reject(err) : resolve(sftp)))),
    )).catch((err: unknown) => {
      this.sftpSession = undefined;
      throw err;
    });
  }

  /** Close for good. */
  async close(): Promise<void> {
    this.closing = true;
    const client = await this.current?.catch(() => undefined);
    this.current = undefined;
    client?.end();
  }

  private asRoot(script: string): string {
    return this.host.sudo && this.host.user !== 'root' ? `sudo -n sh -c ${shq(script)}` : script;
  }

  private client(): Promise<Client> {
    if (this.closing) return Promise.reject(new Error(`host ${this.host.name}: connection closed`));
    this.current ??= (this.everReady ? this.reconnect() : this.dial()).catch((err: unknown) => {
      this.current = undefined;
      throw err;
    });
    return this.current;
  }

  /** Dial again after a loss, for up to {@link RECONNECT_FOR_MS}. */
  private async reconnect(): Promise<Client> {
    const until = Date.now() + RECONNECT_FOR_MS;
    const never = new AbortController().signal;
    for (let wait = 200; ; wait = Math.min(wait * 2, 3000)) {
      try {
        return await this.dial();
      } catch (err) {
        if (this.closing || Date.now() + wait > until || (err instanceof UserError && !/unreachable/.test(err.message))) throw err;
        await abortableSleep(wait, never);
      }
    }
  }

  private async dial(): Promise<Client> {
    const client = new (ssh2().Client)();
    let verdict: HostKeyVerdict | undefined;
    let offered: Buffer | undefined;
    const config: ConnectConfig = {
      host: this.host.address,
      port: this.host.port,
      username: this.host.user,
      readyTimeout: READY_TIMEOUT_MS,
      keepaliveInterval: KEEPALIVE_MS,
      keepaliveCountMax: KEEPALIVE_COUNT,
      authHandler: this.authMethods() as unknown as AuthenticationType[],
      hostVerifier: (key: Buffer): boolean => {
        offered = key;
        verdict = verifyHostKey(this.trust.text, this.host.address, this.host.port, key);
        return verdict === 'trusted' || (verdict === 'unknown' && !this.trust.strict);
      },
    };
    const preferred = listedKeyAlgorithms(this.trust.text, this.host.address, this.host.port);
    if (preferred.length > 0) config.algorithms = { serverHostKey: { prepend: preferred as never } } as never;
    return new Promise((resolve, reject) => {
      let ready = false;
      client.once('ready', () => {
        ready = true;
        this.everReady = true;
        resolve(client);
      });
      client.on('error', (err: Error & { level?: string; code?: string }) => {
        if (!ready) reject(this.describe(err, verdict, offered));
      });
      client.on('close', () => {
        if (!ready) return reject(new UserError(`host ${this.host.name} (${this.where}) is unreachable: the connection closed during login`));
        this.current = undefined;
        this.sftpSession = undefined;
        if (!this.closing) for (const listener of this.lostListeners) listener();
      });
      client.connect(config);
    });
  }

  /** The SSH agent, then the key file (or the default keys when none is named). */
  private authMethods(): object[] {
    const username = this.host.user;
    const methods: object[] = [];
    const agent = process.env.SSH_AUTH_SOCK;
    if (agent) methods.push({ type: 'agent', username, agent });
    const files = this.host.key !== undefined ? [this.host.key] : DEFAULT_KEYS.map((k) => join(homedir(), '.ssh', k));
    for (const file of files) {
      let key: Buffer;
      try {
        key = readFileSync(file);
      } catch (err) {
        if (this.host.key !== undefined) throw new UserError(`host ${this.host.name}: cannot read key ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
        continue;
      }
      methods.push({ type: 'publickey', username, key });
    }
    if (methods.length === 0) {
      throw new UserError(`host ${this.host.name}: no key to log in with: pass --ssh-key, name a key in the hosts file, or start ssh-agent`);
    }
    return methods;
  }

  /** One line for a failed login. */
  private describe(err: Error & { level?: string; code?: string }, verdict: HostKeyVerdict | undefined, key: Buffer | undefined): UserError {
    const name = `host ${this.host.name} (${this.where})`;
    const known = this.trust.file;
    const filed = knownHostsName(this.host.address, this.host.port);
    if (verdict === 'changed') {
      return new UserError(
        `${name}: its host key has changed (now ${key ? fingerprint(key) : 'unknown'}), not the one in ${known}; refusing to connect. ` +
          `If the host was reinstalled, remove the old key with ssh-keygen -f ${known} -R '${filed}'`,
      );
    }
    if (verdict === 'revoked') return new UserError(`${name}: its host key ${key ? fingerprint(key) : ''} is marked @revoked in ${known}; refusing to connect`);
    if (verdict === 'unknown' && this.trust.strict) {
      return new UserError(
        `${name}: its host key (${key ? fingerprint(key) : 'unknown'}) is not in ${known}; add it (ssh-keyscan -p ${this.host.port} ${this.host.address} >> ${known}) ` +
          `or pass --ssh-strict-host-keys false`,
      );
    }
    if (err.level === 'client-authentication') {
      const how = this.host.key !== undefined ? `the key ${this.host.key}` : 'the SSH agent and default keys';
      return new UserError(`${name} refused ${how}: check the user and that the public key is in its authorized_keys`);
    }
    if (/encrypted private key|passphrase/i.test(err.message)) {
      return new UserError(`host ${this.host.name}: the key ${this.host.key ?? ''} is encrypted: load it into ssh-agent (ssh-add) instead`);
    }
    if (/Cannot parse privateKey|Unsupported key format/i.test(err.message)) {
      return new UserError(`host ${this.host.name}: cannot use the key ${this.host.key ?? ''}: ${err.message}`);
    }
    if (err.level === 'client-timeout') return new UserError(`${name} is unreachable: no SSH handshake within ${READY_TIMEOUT_MS / 1000} s`);
    return new UserError(`${name} is unreachable: ${err.code ?? err.message}; check the address and that sshd runs there`);
  }
}
