/**
 * The tether: a tiny supervisor between the harness and one node process. It starts the node,
 * reports its pid over IPC, and kills it the moment the harness goes away (the IPC channel
 * closes, even after kill -9 of the harness), so no node outlives its run.
 *
 * Usage: node tether.js <command> [args...]  (spawned with an IPC channel; env passed through)
 */
import { spawn } from 'node:child_process';

const [command, ...args] = process.argv.slice(2);
if (!command || !process.send) {
  process.stderr.write('tether: run by faultline only (needs a command and an IPC channel)\n');
  process.exit(2);
}

const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });

child.on('spawn', () => process.send?.({ pid: child.pid }));
child.on('error', (err) => {
  process.send?.({ error: err.message }, () => process.exit(127));
});
child.on('exit', (code, signal) => {
  process.send?.({ exit: { code, signal } }, () => process.exit(0));
});

function killChild(): void {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
  }
  process.exit(0);
}

process.on('disconnect', killChild);
// The harness signals the node, not the tether; these only arrive from outside.
process.on('SIGTERM', killChild);
process.on('SIGINT', killChild);
