/**
 * The few SFTP file operations the SSH backend needs, as promises: read what a growing file
 * gained since an offset (log copying), read a small file that may be missing, and replace a
 * file so that a reader never sees it empty or half written (clock files).
 */
import type { SFTPWrapper } from 'ssh2';

const NO_SUCH_FILE = 2;
const CHUNK = 64 * 1024;

function missing(err: unknown): boolean {
  return (err as { code?: unknown }).code === NO_SUCH_FILE;
}

function call<T>(fn: (cb: (err: Error | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
}

/**
 * Hand `sink` what `path` holds past `offset`, in order; resolves with the new offset (the
 * same one when the file is missing or has not grown).
 */
export async function appendNew(sftp: SFTPWrapper, path: string, offset: number, sink: (chunk: Buffer) => void): Promise<number> {
  let size: number;
  try {
    size = (await call<{ size: number }>((cb) => sftp.stat(path, cb))).size;
  } catch (err) {
    if (missing(err)) return offset;
    throw err;
  }
  if (size <= offset) return offset;
  const handle = await call<Buffer>((cb) => sftp.open(path, 'r', cb));
  let at = offset;
  try {
    while (at < size) {
      const buffer = Buffer.alloc(Math.min(CHUNK, size - at));
      const read = await call<number>((cb) => sftp.read(handle, buffer, 0, buffer.length, at, (err, n) => cb(err, n)));
      if (read === 0) break;
      sink(buffer.subarray(0, read));
      at += read;
    }
  } finally {
    await call<void>((cb) => sftp.close(handle, (err) => cb(err, undefined))).catch(() => undefined);
  }
  return at;
}

/** The text of a small file, or `undefined` when it does not exist. */
export async function readSmallFile(sftp: SFTPWrapper, path: string): Promise<string | undefined> {
  try {
    return (await call<Buffer>((cb) => sftp.readFile(path, cb))).toString('utf8');
  } catch (err) {
    if (missing(err)) return undefined;
    throw err;
  }
}

/**
 * Write `text` to `path` through a temporary file renamed over it (OpenSSH's posix-rename, which
 * replaces atomically; plain SFTP rename refuses an existing target, so without the extension
 * the old file is removed first).
 */
export async function writeFileAtomic(sftp: SFTPWrapper, path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`;
  await call<void>((cb) => sftp.writeFile(tmp, text, (err) => cb(err, undefined)));
  try {
    await call<void>((cb) => sftp.ext_openssh_rename(tmp, path, (err) => cb(err, undefined)));
  } catch {
    await call<void>((cb) => sftp.unlink(path, (err) => cb(missing(err) ? null : err, undefined)));
    await call<void>((cb) => sftp.rename(tmp, path, (err) => cb(err, undefined)));
  }
}
