/**
 * Host key checking against an OpenSSH known_hosts file, as `ssh` does with
 * StrictHostKeyChecking=yes: a host whose key is listed is trusted, one listed with other keys
 * only has a changed key (refused: maybe a man in the middle, maybe a reinstall), one not listed
 * is unknown (refused unless checking is switched off). Handles comma-separated host patterns
 * with `*` / `?` wildcards and `!` negation, `[host]:port` for ports other than 22, hashed
 * entries (`|1|salt|hash`, HMAC-SHA1 of the name), and `@revoked` lines; `@cert-authority` lines
 * are ignored (no certificates here).
 */
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';

export type HostKeyVerdict = 'trusted' | 'changed' | 'unknown' | 'revoked';

interface Entry {
  marker?: string;
  patterns: string;
  key: Buffer;
}

/** `SHA256:...`, the fingerprint `ssh-keygen -l` prints for a key blob. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The name a host is filed under: `host`, or `[host]:port` when the port is not 22. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function parse(text: string): Entry[] {
  const entries: Entry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0]?.startsWith('@') ? fields.shift() : undefined;
    const [patterns, , blob] = fields;
    if (!patterns || !blob) continue;
    entries.push({ ...(marker !== undefined && { marker }), patterns, key: Buffer.from(blob, 'base64') });
  }
  return entries;
}

function glob(pattern: string, name: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(name);
}

function hashedMatch(pattern: string, name: string): boolean {
  const [, kind, salt, hash] = pattern.split('|');
  if (kind !== '1' || !salt || !hash) return false;
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
}

/** Whether an entry's host patterns name `name` (a negated match excludes it). */
function names(patterns: string, name: string): boolean {
  if (patterns.startsWith('|')) return hashedMatch(patterns, name);
  let matched = false;
  for (const pattern of patterns.split(',')) {
    if (pattern.startsWith('!')) {
      if (glob(pattern.slice(1), name)) return false;
    } else if (glob(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

/** What the known_hosts text says of `key` offered by `host:port`. */
export function verifyHostKey(text: string, host: string, port: number, key: Buffer): HostKeyVerdict {
  const name = knownHostsName(host, port);
  const mine = parse(text).filter((e) => e.marker !== '@cert-authority' && names(e.patterns, name));
  if (mine.some((e) => e.marker === '@revoked' && e.key.equals(key))) return 'revoked';
  const listed = mine.filter((e) => e.marker === undefined);
  if (listed.some((e) => e.key.equals(key))) return 'trusted';
  return listed.length > 0 ? 'changed' : 'unknown';
}

/**
 * Host key algorithms to prefer for `host:port`, those of the keys listed for it, so the server
 * offers a key the file can vouch for (as `ssh` orders them) rather than another type it also has.
 */
export function listedKeyAlgorithms(text: string, host: string, port: number): string[] {
  const name = knownHostsName(host, port);
  const types = parse(text)
    .filter((e) => e.marker === undefined && e.key.length >= 4 && names(e.patterns, name))
    .map((e) => e.key.subarray(4, 4 + e.key.readUInt32BE(0)).toString('latin1'));
  return [...new Set(types.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t])))];
}

/** The known_hosts file's text, or '' when there is none. */
export function readKnownHosts(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
