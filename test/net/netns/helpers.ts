/**
 * Why: the netns tests must check the network from inside the lab only (a connection from the
 * root namespace to a lab address would be routed off the machine). These helpers run small
 * Node programs in a namespace via nsenter (a TCP server, a connect probe, a timed upload) and
 * snapshot the root namespace's interfaces, routes and firewall to prove nothing changed there.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { findTool, netnsPath } from '../../../src/net/netns/exec.js';

/** Why these tests cannot run here, or `undefined` when they can. */
export function netnsUnsupported(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  const missing = ['ip', 'nsenter', 'nft', 'tc', 'iptables-restore', 'iptables-save'].filter((t) => !findTool(t));
  return missing.length > 0 ? `missing ${missing.join(', ')} (apt-get install iproute2 nftables iptables)` : undefined;
}

function inNs(ns: string, script: string, args: string[]): ChildProcess {
  return spawn(findTool('nsenter') as string, [`--net=${netnsPath(ns)}`, '--', process.execPath, '-e', script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

function output(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`probe exited ${code}: ${out}`))));
  });
}

const SERVER = `
const net = require('net');
const server = net.createServer((s) => {
  let n = 0;
  s.on('data', (d) => (n += d.length));
  s.on('end', () => s.end(String(n)));
  s.on('error', () => {});
});
server.listen(Number(process.argv[2]), process.argv[1], () => console.log('ready'));
`;

/** A TCP server on `host:port` inside `ns` that answers each upload with its byte count. */
export async function serveIn(ns: string, host: string, port: number): Promise<{ close(): void }> {
  const child = inNs(ns, SERVER, [host, String(port)]);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`server in ${ns} exited ${code}`)));
  });
  return { close: () => child.kill('SIGKILL') };
}

const PROBE = `
const net = require('net');
const targets = JSON.parse(process.argv[1]);
const timeout = Number(process.argv[2]);
Promise.all(targets.map((t) => new Promise((resolve) => {
  const [host, port] = t.split(':');
  const s = net.connect({ host, port: Number(port) });
  const done = (ok) => { clearTimeout(timer); s.destroy(); resolve([t, ok]); };
  const timer = setTimeout(() => done(false), timeout);
  s.once('connect', () => done(true));
  s.once('error', () => done(false));
}))).then((r) => console.log(JSON.stringify(Object.fromEntries(r))));
`;

/** From inside `ns`, whether a TCP connection to each `host:port` opens within `timeoutMs`. */
export async function canConnect(ns: string, targets: string[], timeoutMs = 700): Promise<Record<string, boolean>> {
  return JSON.parse(await output(inNs(ns, PROBE, [JSON.stringify(targets), String(timeoutMs)]))) as Record<string, boolean>;
}

const UPLOAD = `
const net = require('net');
const [host, port] = process.argv[1].split(':');
const bytes = Number(process.argv[2]);
const s = net.connect({ host, port: Number(port) }, () => {
  const t0 = performance.now();
  s.end(Buffer.alloc(bytes));
  s.on('data', (d) => console.log(JSON.stringify({ ms: performance.now() - t0, got: Number(String(d)) })));
});
`;

/** From inside `ns`, send `bytes` to a {@link serveIn} server; resolves with the time it took. */
export async function uploadMs(ns: string, target: string, bytes: number): Promise<number> {
  const r = JSON.parse(await output(inNs(ns, UPLOAD, [target, String(bytes)]))) as { ms: number; got: number };
  if (r.got !== bytes) throw new Error(`server got ${r.got} of ${bytes} bytes`);
  return r.ms;
}

/** The root namespace's interfaces, addresses, routes and firewall, as text (read-only commands). */
export function rootSnapshot(): Record<string, string> {
  const read = (tool: string, args: string[]): string =>
    execFileSync(findTool(tool) as string, args, { encoding: 'utf8' })
      .split('\n')
      .filter((line) => !line.startsWith('#')) // iptables-save's timestamps
      .join('\n');
  return {
    links: read('ip', ['-o', 'link']),
    addresses: read('ip', ['-o', 'addr']),
    routes: read('ip', ['route']) + read('ip', ['-6', 'route']),
    nft: read('nft', ['list', 'ruleset']),
    iptables: read('iptables-save', []),
  };
}

/** `ip netns list` names. */
export function namespaces(): string[] {
  return execFileSync(findTool('ip') as string, ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter(Boolean);
}

/** Whether process `pid` exists. */
export { pidExists as alive } from '../../../src/process-identity.js';
