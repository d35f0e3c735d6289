/**
 * `faultline serve`: a small read-only web server over a results directory. `/` lists the runs
 * (filterable); every other path is a file or directory inside the results directory, served
 * as it is (reports, histories, logs, traces).
 *
 * Nothing outside the results directory is ever served: a path with a `..` segment (raw or
 * percent-encoded), a NUL or a backslash is refused, and the real path of whatever is asked for
 * (symlinks resolved) must lie inside the real results directory, so a symlink pointing out of
 * it is refused too (the `latest` link, which points at a run inside, works). Only GET and HEAD.
 */
import { createReadStream, lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';
import { listen } from '../net/listen.js';
import { directoryPage, runsPage } from './pages.js';
import { filterRuns, listRuns } from './runs.js';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.edn': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export class PathRefused extends Error {}

/**
 * The file system path for URL path `urlPath` under `root` (a real path), or a PathRefused
 * saying why not.
 */
export function resolveInside(root: string, urlPath: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    throw new PathRefused('malformed path');
  }
  if (decoded.includes('\0') || decoded.includes('\\')) throw new PathRefused('malformed path');
  const segments = decoded.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw new PathRefused('paths may not leave the results directory');
  const path = join(root, ...segments);
  const real = realpathSync(path); // Throws ENOENT for a missing file or a dangling link.
  if (real !== root && !real.startsWith(root + sep)) throw new PathRefused('that link points outside the results directory');
  return real;
}

function send(res: ServerResponse, status: number, type: string, body: string, head: boolean): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
  res.end(head ? undefined : body);
}

function handle(root: string, req: IncomingMessage, res: ServerResponse): void {
  const head = req.method === 'HEAD';
  if (req.method !== 'GET' && !head) {
    res.setHeader('allow', 'GET, HEAD');
    send(res, 405, 'text/plain; charset=utf-8', 'read-only: GET and HEAD only\n', false);
    return;
  }
  const raw = req.url ?? '/';
  const query = raw.indexOf('?');
  const urlPath = query < 0 ? raw : raw.slice(0, query);
  if (urlPath === '/' || urlPath === '') {
    const params = new URLSearchParams(query < 0 ? '' : raw.slice(query + 1));
    const q = params.get('q') ?? '';
    const verdict = params.get('verdict') ?? '';
    const all = listRuns(root);
    send(res, 200, 'text/html; charset=utf-8', runsPage(root, all.length, filterRuns(all, q, verdict), q, verdict), head);
    return;
  }
  let path: string;
  try {
    path = resolveInside(root, urlPath);
  } catch (err) {
    if (err instanceof PathRefused) send(res, 403, 'text/plain; charset=utf-8', `refused: ${err.message}\n`, head);
    else send(res, 404, 'text/plain; charset=utf-8', 'not found\n', head);
    return;
  }
  const stats = statSync(path);
  if (stats.isDirectory()) {
    if (!urlPath.endsWith('/')) {
      res.writeHead(301, { location: `${urlPath}/` });
      res.end();
      return;
    }
    const entries = readdirSync(path, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((e) => Object.assign(e, { size: e.isFile() ? lstatSync(join(path, e.name)).size : undefined }));
    send(res, 200, 'text/html; charset=utf-8', directoryPage(urlPath, entries), head);
    return;
  }
  if (!stats.isFile()) {
    send(res, 403, 'text/plain; charset=utf-8', 'refused: not a regular file\n', head);
    return;
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
    'content-length': stats.size,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  if (head) {
    res.end();
    return;
  }
  createReadStream(path).on('error', () => res.destroy()).pipe(res);
}

/** Serve `resultsDir` on `host:port` (port 0: any free port). Resolves once listening. */
export async function serveResults(resultsDir: string, host: string, port: number): Promise<Server> {
  const root = realpathSync(resultsDir);
  const server = createServer((req, res) => {
    try {
      handle(root, req, res);
    } catch {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n', false);
      else res.destroy();
    }
  });
  await listen(server, port, host);
  return server;
}
