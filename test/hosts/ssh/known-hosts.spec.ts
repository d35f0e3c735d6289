/** Host key checking against known_hosts text: every way a host can be filed, and the verdicts. */
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fingerprint, listedKeyAlgorithms, verifyHostKey } from '../../../src/hosts/ssh/known-hosts.js';

/** A key blob of `type` (SSH wire format: a length-prefixed type name, then key bytes). */
function blob(type: string): Buffer {
  const name = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(name.length);
  return Buffer.concat([len, name, randomBytes(32)]);
}

const a = blob('ssh-ed25519');
const b = blob('ssh-ed25519');
const rsa = blob('ssh-rsa');
const line = (hosts: string, key: Buffer): string => `${hosts} ${key.subarray(4, 4 + key.readUInt32BE(0)).toString('latin1')} ${key.toString('base64')}`;

function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

describe('verifyHostKey', () => {
  it('trusts the listed key, calls another key for a listed host changed, and an unlisted host unknown', () => {
    const text = `# comment\n\n${line('h1.example,10.0.0.1', a)}\n`;
    expect(verifyHostKey(text, '10.0.0.1', 22, a)).toBe('trusted');
    expect(verifyHostKey(text, 'h1.example', 22, a)).toBe('trusted');
    expect(verifyHostKey(text, '10.0.0.1', 22, b)).toBe('changed');
    expect(verifyHostKey(text, '10.0.0.2', 22, a)).toBe('unknown');
    expect(verifyHostKey('', '10.0.0.1', 22, a)).toBe('unknown');
  });

  it('files a host on another port as [host]:port', () => {
    const text = line('[10.0.0.1]:2222', a);
    expect(verifyHostKey(text, '10.0.0.1', 2222, a)).toBe('trusted');
    expect(verifyHostKey(text, '10.0.0.1', 22, a)).toBe('unknown');
  });

  it('matches hashed names, wildcards and negations', () => {
    expect(verifyHostKey(line(hashed('10.0.0.7'), a), '10.0.0.7', 22, a)).toBe('trusted');
    expect(verifyHostKey(line(hashed('[10.0.0.7]:2200'), a), '10.0.0.7', 2200, a)).toBe('trusted');
    expect(verifyHostKey(line(hashed('10.0.0.7'), a), '10.0.0.8', 22, a)).toBe('unknown');
    const text = line('*.example,!bad.example,10.0.0.?', a);
    expect(verifyHostKey(text, 'db.example', 22, a)).toBe('trusted');
    expect(verifyHostKey(text, 'bad.example', 22, a)).toBe('unknown');
    expect(verifyHostKey(text, '10.0.0.5', 22, b)).toBe('changed');
    expect(verifyHostKey(text, '10.0.0.15', 22, a)).toBe('unknown');
  });

  it('refuses a revoked key and ignores certificate authorities', () => {
    const text = `${line('10.0.0.1', a)}\n@revoked ${line('10.0.0.1', a)}\n@cert-authority ${line('*', b)}`;
    expect(verifyHostKey(text, '10.0.0.1', 22, a)).toBe('revoked');
    expect(verifyHostKey(text, '10.0.0.1', 22, b)).toBe('changed');
  });

  it('prefers the algorithms of the keys listed for a host, and prints fingerprints as ssh-keygen does', () => {
    const text = `${line('10.0.0.1', rsa)}\n${line('10.0.0.1', a)}\n${line('10.0.0.2', b)}`;
    expect(listedKeyAlgorithms(text, '10.0.0.1', 22)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-ed25519']);
    expect(listedKeyAlgorithms(text, '10.0.0.3', 22)).toEqual([]);
    expect(fingerprint(a)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});
