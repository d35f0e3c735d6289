/**
 * The part of faultline's compiled tree (`dist/`, COMPILED_ROOT) that bundled node programs need
 * on a remote host, and its upload over SFTP. Only the files the programs import, transitively,
 * are sent (they import nothing but Node's built-ins and each other), plus a package.json that
 * makes them ES modules. The copy on the host is named after a hash of its content
 * (`<dir>/trees/<hash>/`), so a second run with the same code uploads nothing, and a run with
 * other code never changes a tree another run may be using.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { COMPILED_ROOT, FROM_SOURCE, PACKAGE_ROOT } from '../../node/entry.js';
import { UserError } from '../../user-error.js';
import { shq, type SshConnection } from './connection.js';

export interface TreeFile {
  /** Relative to the tree's root, with `/`. */
  path: string;
  content: Buffer;
}

/** A tree as uploaded: its directory on the host, and how many files this upload sent. */
export interface RemoteTree {
  dir: string;
  uploaded: number;
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*\(?\s*['"]([^'"]+)['"]/gm;
/** Files sent at once. */
const PARALLEL = 8;

/**
 * The compiled files `scripts` (paths in the tree, e.g. `clusters/raft-kv/node.js`) need.
 * @throws UserError when the compiled tree is missing or older than the sources it comes from.
 */
export function bundledFiles(scripts: readonly string[]): TreeFile[] {
  if (!existsSync(COMPILED_ROOT)) {
    throw new UserError(`--hosts ssh uploads faultline's compiled tree (${COMPILED_ROOT}), which is missing: run npm run build`);
  }
  const files = new Map<string, Buffer>();
  const pending = [...scripts];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    if (files.has(path)) continue;
    const full = join(COMPILED_ROOT, path);
    if (!existsSync(full)) throw new UserError(`${full} is missing from the compiled tree: run npm run build`);
    checkFresh(path, full);
    const content = readFileSync(full);
    files.set(path, content);
    for (const m of content.toString('utf8').matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2]) as string;
      if (spec.startsWith('node:')) continue;
      if (!spec.startsWith('.')) throw new Error(`${path} imports '${spec}', a package: bundled node programs may import only Node's built-ins and faultline's own files`);
      pending.push(posix.normalize(posix.join(posix.dirname(path), spec)));
    }
  }
  const sorted = [...files].sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, content]) => ({ path, content }));
  return [...sorted, { path: 'package.json', content: Buffer.from('{"type":"module"}\n') }];
}

/** From a source checkout, refuse a compiled file older than its source (a stale `dist/`). */
function checkFresh(path: string, compiled: string): void {
  if (!FROM_SOURCE) return;
  const source = join(PACKAGE_ROOT, path.replace(/\.js$/, '.ts'));
  if (existsSync(source) && statSync(source).mtimeMs > statSync(compiled).mtimeMs) {
    throw new UserError(`the compiled tree is older than ${source}; run npm run build before --hosts ssh uploads it`);
  }
}

/** A short hash of the files' paths and contents: the tree's name on the hosts. */
export function treeHash(files: readonly TreeFile[]): string {
  const hash = createHash('sha256');
  for (const f of files) hash.update(`${f.path}\0${createHash('sha256').update(f.content).digest('hex')}\n`);
  return hash.digest('hex').slice(0, 20);
}

function put(sftp: SFTPWrapper, path: string, content: Buffer): Promise<void> {
  return new Promise((resolve, reject) => sftp.writeFile(path, content, (err) => (err ? reject(err) : resolve())));
}

/**
 * Make sure the host has the tree under `<base>/trees/<hash>/`: nothing is sent when it is there;
 * otherwise it is uploaded into a fresh directory that is renamed into place at the end, so a
 * tree that exists is always complete.
 */
export async function ensureTree(conn: SshConnection, base: string, files: readonly TreeFile[], hash: string): Promise<RemoteTree> {
  const dir = `${base}/trees/${hash}`;
  const have = await conn.exec(`test -f ${shq(`${dir}/package.json`)} && touch ${shq(dir)}`);
  if (have.code === 0) return { dir, uploaded: 0 };
  const part = `${dir}.part-${randomBytes(4).toString('hex')}`;
  const dirs = [...new Set(files.map((f) => dirname(`${part}/${f.path}`)))];
  await conn.run(`mkdir -p ${dirs.map(shq).join(' ')}`, 'making the tree directories');
  const sftp = await conn.sftp();
  const queue = [...files];
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      for (let f = queue.shift(); f !== undefined; f = queue.shift()) await put(sftp, `${part}/${f.path}`, f.content);
    }),
  );
  // Another run may have put the same tree in place meanwhile: then this copy goes.
  await conn.run(`{ mv -T ${shq(part)} ${shq(dir)} 2>/dev/null || rm -rf ${shq(part)}; } && test -f ${shq(`${dir}/package.json`)}`, 'putting the tree in place');
  return { dir, uploaded: files.length };
}
