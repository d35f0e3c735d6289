/**
 * The tether: a tiny supervisor between the harness and one node process. It starts the node,
 * reports its pid over IPC, and kills it the moment the harness goes away (the IPC channel
 * closes, even after kill -9 of the harness), so no node outlives its run.
 *
 * Every way out of this process takes the node with it: the channel closing, SIGTERM / SIGINT /
 * SIGHUP (the harness's teardown ends a tether that is still starting this way), an error, or
 * a harness that was already gone when this process got to run (it checks before it starts the
 * node, and a message it cannot send counts as the harness gone).
 *
 * Usage: node tether.js <command> [args...]  (spawned with an IPC channel; env passed through)
 */
import { spawn, type ChildProcess } from 'node:child_process';

const [command, ...args] = process.argv.slice(2);
if (!command || !process.send) {
  process.stderr.write('tether: run by faultline only (needs a command and an IPC channel)\n');
  process.exit(2);
}

let child: ChildProcess | undefined;

function killChild(): void {
  if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

function quit(): void {
  killChild();
  process.exit(0);
}

/** Tell the harness; if it cannot be told, it is gone, and so is this run. */
function tell(message: object, then?: () => void): void {
  if (!process.connected) return quit();
  process.send!(message, undefined, {}, (err: Error | null) => (err ? quit() : then?.()));
}

// Set up before the node exists, so no way out can leave it behind.
process.on('exit', killChild);
process.on('disconnect', quit);
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, quit);
// The harness may have exited while this process was starting up (its 'disconnect' is not seen
// then): start nothing.
if (!process.connected) quit();

child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
child.on('spawn', () => tell({ pid: child!.pid }));
child.on('error', (err) => tell({ error: err.message }, () => process.exit(127)));
child.on('exit', (code, signal) => tell({ exit: { code, signal } }, () => process.exit(0)));
