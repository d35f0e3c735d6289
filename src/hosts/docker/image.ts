/**
 * The images `--hosts docker` runs, made without a registry or any download: from this machine's
 * own files. Two layers, each cached in the daemon under a tag that is the hash of its content, so
 * a repeated run builds nothing:
 * - `faultline-base:<hash>`: this machine's Node.js binary, `sleep` (each node's network sandbox
 *   runs it), the shared libraries `ldd` lists for them, a minimal /etc/passwd and /tmp. A root
 *   file system given to the daemon as an import (POST /images/create?fromSrc=-).
 * - `faultline-node:<hash>`: the base plus faultline's compiled tree (`dist/`, the JavaScript
 *   only, with a package.json marking it as ES modules) under /faultline, and any extra program a
 *   system needs (a third-party binary named by a `CommandLaunch`, libfaketime), each with its
 *   libraries. Made by copying an archive into a container of the base and committing it, so only
 *   this small layer is rebuilt when the code changes.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type tarStream from 'tar-stream';
import { lazyRequire } from '../../lazy-require.js';
import { findTool, run } from '../../net/netns/exec.js';
import { UserError } from '../../user-error.js';
import { LABELS } from './daemon.js';

/** Where the compiled tree goes in the image: bundled scripts run as `node /faultline/dist/<script>`. */
export const IMAGE_TREE = '/faultline/dist';
/** Node.js in the image. */
export const IMAGE_NODE = '/usr/local/bin/node';
/** The program each node's network sandbox runs: it only holds the namespace. */
export const IMAGE_SLEEP = '/bin/sleep';

/** One file of an image: its path there, and its bytes (a file of this machine, or given). */
export interface ImageFile {
  path: string;
  mode: number;
  source?: string;
  content?: Buffer;
}

/** A program of this machine and the libraries it loads, placed in the image (the program at `at`). */
export async function hostProgram(program: string, at: string): Promise<ImageFile[]> {
  const files: ImageFile[] = [{ path: at, mode: 0o755, source: realpathSync(program) }];
  for (const lib of await sharedLibraries(program)) files.push({ path: lib, mode: 0o755, source: realpathSync(lib) });
  return files;
}

/**
 * The shared libraries `ldd` lists for `program`, the dynamic loader included, as the paths the
 * loader looks them up at; none for a static binary (etcd and other Go programs).
 */
export async function sharedLibraries(program: string): Promise<string[]> {
  let out: string;
  try {
    out = await run('ldd', [program]);
  } catch (err) {
    if (/not a dynamic executable/.test(String((err as { stderr?: string }).stderr ?? err))) return [];
    throw err;
  }
  return parseLdd(out);
}

/** The library paths in `ldd` output: `name => /path (0x...)` and the loader's `/path (0x...)`; the vDSO has none. */
export function parseLdd(out: string): string[] {
  const paths = new Set<string>();
  for (const line of out.split('\n')) {
    const target = /=>\s*(\/\S+)/.exec(line)?.[1] ?? /^\s*(\/\S+)\s+\(0x/.exec(line)?.[1];
    if (target) paths.add(target);
  }
  return [...paths];
}

/** The base image's files: Node.js, sleep, their libraries, /etc/passwd, /tmp. */
export async function baseFiles(): Promise<ImageFile[]> {
  const sleep = findTool('sleep');
  if (!sleep) throw new UserError('--hosts docker puts this machine\'s `sleep` in its image and cannot find it; install coreutils');
  const passwd = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n';
  return dedupe([
    ...(await hostProgram(process.execPath, IMAGE_NODE)),
    ...(await hostProgram(sleep, IMAGE_SLEEP)),
    { path: '/etc/passwd', mode: 0o644, content: Buffer.from(passwd) },
    { path: '/etc/group', mode: 0o644, content: Buffer.from('root:x:0:\nnogroup:x:65534:\n') },
  ]);
}

/** faultline's compiled tree as image files under {@link IMAGE_TREE}: every `.js` of `root`. */
export function treeFiles(root: string): ImageFile[] {
  const files: ImageFile[] = [{ path: '/faultline/package.json', mode: 0o644, content: Buffer.from('{"type":"module"}\n') }];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.js')) files.push({ path: `${IMAGE_TREE}/${relative(root, path).split(sep).join('/')}`, mode: 0o644, source: path });
    }
  };
  walk(root);
  return files;
}

/** Later files win over earlier ones at the same path; sorted by path, so the hash is stable. */
function dedupe(files: readonly ImageFile[]): ImageFile[] {
  return [...new Map(files.map((f) => [f.path, f])).values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The content hash of a file set (paths, modes and bytes), in hex. */
export async function contentHash(files: readonly ImageFile[], salt = ''): Promise<string> {
  const hash = createHash('sha256').update(salt);
  for (const file of dedupe(files)) {
    hash.update(`${file.path}\0${file.mode}\0`);
    if (file.content) hash.update(file.content);
    else await new Promise<void>((resolve, reject) => {
      createReadStream(file.source as string).on('data', (chunk) => hash.update(chunk)).on('end', resolve).on('error', reject);
    });
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** tar-stream, loaded when an image is first built. */
const tar = lazyRequire<typeof tarStream>('tar-stream');

/** A tar stream of `files`, their parent directories first (/tmp world-writable, as it must be). */
export function tarOf(files: readonly ImageFile[], dirs: readonly string[] = []): Readable {
  const pack = tar().pack();
  const sorted = dedupe(files);
  const parents = new Set<string>(dirs.map((d) => d.replace(/^\//, '')));
  for (const file of sorted) {
    const parts = file.path.replace(/^\//, '').split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) parents.add(parts.slice(0, i).join('/'));
  }
  const mtime = new Date(0);
  (async () => {
    for (const dir of [...parents].sort()) {
      const mode = dir === 'tmp' ? 0o1777 : 0o755;
      await new Promise<void>((resolve, reject) => pack.entry({ name: `${dir}/`, type: 'directory', mode, mtime }, (err) => (err ? reject(err) : resolve())));
    }
    for (const file of sorted) {
      const name = file.path.replace(/^\//, '');
      if (file.content) {
        await new Promise<void>((resolve, reject) => pack.entry({ name, mode: file.mode, mtime }, file.content, (err) => (err ? reject(err) : resolve())));
        continue;
      }
      const size = statSync(file.source as string).size;
      await new Promise<void>((resolve, reject) => {
        const entry = pack.entry({ name, mode: file.mode, size, mtime }, (err) => (err ? reject(err) : resolve()));
        createReadStream(file.source as string).on('error', reject).pipe(entry);
      });
    }
    pack.finalize();
  })().catch((err: unknown) => pack.destroy(err as Error));
  return pack;
}

/** Whether the daemon has image `ref`. */
async function hasImage(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch {
    return false;
  }
}

/** Read a daemon's progress stream to its end; rejects on an error it reports. */
function drain(stream: NodeJS.ReadableStream, docker: Docker): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, output: { error?: string; errorDetail?: { message?: string } }[]) => {
      const failed = output?.find((o) => o.error !== undefined);
      if (err) reject(err);
      else if (failed) reject(new Error(failed.errorDetail?.message ?? failed.error));
      else resolve();
    });
  });
}

/** The base image (imported when the daemon lacks it); resolves with its tag. */
export async function ensureBaseImage(docker: Docker): Promise<string> {
  const files = await baseFiles();
  const ref = `faultline-base:${(await contentHash(files)).slice(0, 16)}`;
  if (await hasImage(docker, ref)) return ref;
  const [repo, tag] = ref.split(':') as [string, string];
  const stream = await docker.importImage(tarOf(files, ['/tmp', '/root']) as unknown as string, { repo, tag, changes: [`LABEL ${LABELS.image}=base`] } as object);
  await drain(stream, docker);
  if (!(await hasImage(docker, ref))) throw new Error(`importing ${ref} made no image`);
  return ref;
}

/**
 * The image nodes run: the base plus the compiled tree at `tree` and `extra` files; made when the
 * daemon lacks it (in a stopped container of the base, labelled `labels` in case the run dies
 * meanwhile, then committed); resolves with its tag.
 */
export async function ensureNodeImage(docker: Docker, base: string, tree: string, extra: readonly ImageFile[], labels: Record<string, string>): Promise<string> {
  const files = [...treeFiles(tree), ...extra];
  const ref = `faultline-node:${(await contentHash(files, base)).slice(0, 16)}`;
  if (await hasImage(docker, ref)) return ref;
  const [repo, tag] = ref.split(':') as [string, string];
  const builder = await docker.createContainer({ Image: base, Cmd: [IMAGE_SLEEP, '0'], Labels: labels });
  try {
    await builder.putArchive(tarOf(files) as unknown as string, { path: '/' });
    await builder.commit({ repo, tag, changes: [`LABEL ${LABELS.image}=node`] } as object);
  } finally {
    await builder.remove({ force: true }).catch(() => undefined);
  }
  return ref;
}

/** Where a program named by a `CommandLaunch` goes in the image: a bare name on PATH, an absolute path where it is. */
export function imagePathOf(command: string): string {
  return command.startsWith('/') ? command : `/usr/local/bin/${basename(command)}`;
}

/**
 * The program a `CommandLaunch` names, from this machine, for the image (with its libraries).
 * @throws UserError when this machine has no such program.
 */
export async function commandFiles(command: string): Promise<ImageFile[]> {
  const found = command.startsWith('/') ? command : findTool(command);
  if (!found) throw new UserError(`--hosts docker adds ${command} from this machine to the nodes' image, but it is not on this machine's PATH; install it, or name an image that has it with --docker-image`);
  return hostProgram(found, imagePathOf(command));
}
