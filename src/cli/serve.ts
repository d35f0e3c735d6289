/** `faultline serve [results-dir]`: browse runs and their reports over HTTP (127.0.0.1 by default). */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { serveResults } from '../serve/server.js';
import { UserError } from '../user-error.js';

interface ServeArgs {
  dir: string;
  port: number;
  host: string;
}

export const serveCommand: CommandModule<object, ServeArgs> = {
  command: 'serve [dir]',
  describe: 'Serve a results directory over HTTP: a filterable list of runs, each report and file',
  builder: (y) =>
    y
      .positional('dir', { type: 'string', default: 'results', describe: 'The results directory' })
      .option('port', { type: 'number', default: 8080, describe: 'Port to listen on (0: any free port)' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to listen on; anything but loopback shows your results to the network' }) as never,
  handler: async (args) => {
    const dir = resolve(args.dir);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`${args.dir} is not a directory: give the results directory (default: results)`);
    const port = args.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port must be a port number from 0 to 65535, not '${String(port)}'`);
    if (typeof args.host !== 'string' || args.host === '') throw new UserError('--host needs an address, given once');
    let server;
    try {
      server = await serveResults(dir, args.host, port);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new UserError(`port ${port} on ${args.host} is in use: pick another with --port`);
      if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UserError(`cannot listen on ${args.host}: not an address of this machine`);
      if (code === 'EACCES') throw new UserError(`not allowed to listen on port ${port}: pick one above 1023 with --port`);
      throw err;
    }
    const address = server.address();
    const actual = typeof address === 'object' && address ? address.port : port;
    const shown = args.host.includes(':') ? `[${args.host}]` : args.host;
    process.stderr.write(`faultline: serving ${dir} at http://${shown}:${actual}/ (Ctrl-C to stop)\n`);
    await new Promise<void>((done) => {
      const stop = (): void => {
        server.close(() => done());
        server.closeAllConnections();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  },
};
