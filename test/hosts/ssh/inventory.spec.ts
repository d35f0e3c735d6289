/** The SSH backend's hosts: a hosts file or --nodes with --ssh-* options, checked in one line each. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inventoryNames, resolveInventory } from '../../../src/hosts/ssh/inventory.js';
import { UserError } from '../../../src/user-error.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-inventory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'key'), 'not really a key\n');

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const hosts = file('hosts.json', {
  knownHosts: 'kh',
  defaults: { user: 'admin', key: 'key', sudo: true },
  hosts: [
    { name: 'n1', address: '10.0.0.1' },
    { name: 'n2', address: 'db2.example', port: 2222, user: 'root', dir: '/var/lib/fl', node: '/opt/node/bin/node' },
  ],
});

describe('resolveInventory', () => {
  it('reads a hosts file: names for the inventory, defaults under per-host values, paths relative to the file', () => {
    expect(inventoryNames({ 'hosts-file': hosts })).toEqual(['n1', 'n2']);
    const inv = resolveInventory(['n1', 'n2'], { 'hosts-file': hosts });
    expect(inv.knownHosts).toBe(join(dir, 'kh'));
    expect(inv.strictHostKeys).toBe(true);
    expect(inv.hosts).toEqual([
      { name: 'n1', address: '10.0.0.1', port: 22, user: 'admin', key: join(dir, 'key'), sudo: true, dir: 'faultline', node: 'node' },
      { name: 'n2', address: 'db2.example', port: 2222, user: 'root', key: join(dir, 'key'), sudo: true, dir: '/var/lib/fl', node: '/opt/node/bin/node' },
    ]);
  });

  it('lets the command line win over the file, and turns host key checking off only when told', () => {
    const inv = resolveInventory(['n2'], { 'hosts-file': hosts, 'ssh-user': 'ops', 'ssh-port': '22', 'ssh-strict-host-keys': 'false', 'ssh-sudo': 'false' });
    expect(inv.hosts[0]).toMatchObject({ user: 'ops', port: 22, sudo: false });
    expect(inv.strictHostKeys).toBe(false);
  });

  it('takes machines from --nodes with --ssh-user and --ssh-key, and ~/.ssh/known_hosts by default', () => {
    const inv = resolveInventory(['a.example', 'b.example'], { 'ssh-user': 'root', 'ssh-key': join(dir, 'key') });
    expect(inv.hosts.map((h) => [h.name, h.address, h.user, h.key])).toEqual([
      ['a.example', 'a.example', 'root', join(dir, 'key')],
      ['b.example', 'b.example', 'root', join(dir, 'key')],
    ]);
    expect(inv.knownHosts).toBe(join(homedir(), '.ssh', 'known_hosts'));
  });

  it.each([
    ['a missing file', () => resolveInventory(['n1'], { 'hosts-file': join(dir, 'nope.json') }), /nope\.json: no such file/],
    ['bad JSON', () => resolveInventory(['n1'], { 'hosts-file': file('bad.json', '{') }), /bad\.json: .*JSON/],
    ['no hosts', () => resolveInventory(['n1'], { 'hosts-file': file('empty.json', { hosts: [] }) }), /"hosts" must be a non-empty list/],
    ['an unknown field', () => resolveInventory(['n1'], { 'hosts-file': file('typo.json', { hosts: [{ name: 'n1', adress: 'x' }] }) }), /host 1: unknown field 'adress'/],
    ['a bad port', () => resolveInventory(['n1'], { 'hosts-file': file('port.json', { hosts: [{ name: 'n1', port: 70000 }] }) }), /port must be a whole number/],
    ['a host named twice', () => resolveInventory(['n1'], { 'hosts-file': file('twice.json', { hosts: [{ name: 'n1' }, { name: 'n1' }] }) }), /names host n1 twice/],
    ['a node the file lacks', () => resolveInventory(['n3'], { 'hosts-file': hosts }), /names no host n3 \(it names n1, n2\)/],
    ['two nodes on one address', () => resolveInventory(['n1', 'n2'], { 'hosts-file': file('shared.json', { hosts: [{ name: 'n1', address: 'x' }, { name: 'n2', address: 'x' }] }) }), /two nodes on one host \(x\)/],
    ['a missing key file', () => resolveInventory(['a'], { 'ssh-key': join(dir, 'missing-key') }), /host a: no key file/],
    ['a bad boolean', () => resolveInventory(['a'], { 'ssh-strict-host-keys': 'maybe' }), /--ssh-strict-host-keys must be true or false/],
  ])('refuses %s in one line', (_, run, message) => {
    expect(run).toThrow(UserError);
    expect(run).toThrow(message);
  });
});
