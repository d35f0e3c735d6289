/**
 * The Maelstrom node program under a shim: started with its stdin and stdout piped to the shim
 * and its stderr on the shim's own (which the host backend collects as the node's log), one JSON
 * message per line each way, and Maelstrom's `init` handshake.
 *
 * The program must not outlive its shim, even when the shim is killed with SIGKILL (the kill
 * nemesis): where util-linux's `setpriv` is installed (Debian's essential set) the program is
 * started through it with a parent-death signal of SIGKILL, so the kernel ends it with the shim.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { LineSplitter } from '../../src/node/transport.js';
import { isMaelstromMessage, type MaelstromMessage } from './protocol.js';

/** The client id the shim sends `init` from. */
const INIT_CLIENT = 'c0';

/** Whether `file` is there and may be executed by this process. */
export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `setpriv` on the PATH, or undefined. */
function findSetpriv(): string | undefined {
  return (process.env.PATH ?? '').split(delimiter).filter((d) => d.startsWith('/')).map((d) => join(d, 'setpriv')).find(isExecutable);
}

/** The program's arguments: `--maelstrom-args`, split on white space. */
export function programArgs(text: unknown): string[] {
  return typeof text === 'string' ? text.split(/\s+/).filter((a) => a !== '') : [];
}

export interface NodeBinaryEvents {
  message(msg: MaelstromMessage): void;
  /** A line that is no Maelstrom message. */
  garbage(line: string): void;
  exit(code: number | null, signal: string | null): void;
}

export class NodeBinary {
  private readonly child: ChildProcess;

  constructor(command: string, args: readonly string[], events: NodeBinaryEvents) {
    const setpriv = findSetpriv();
    const [file, argv] = setpriv ? [setpriv, ['--pdeathsig', 'SIGKILL', '--', command, ...args]] : [command, [...args]];
    this.child = spawn(file, argv, { stdio: ['pipe', 'pipe', 'inherit'] });
    const splitter = new LineSplitter(64 * 1024 * 1024);
    this.child.stdout!.on('data', (chunk: Buffer) => {
      let lines: string[];
      try {
        lines = splitter.push(chunk);
      } catch (err) {
        events.garbage(`(${(err as Error).message})`);
        return;
      }
      for (const line of lines) {
        if (line.trim() === '') continue;
        let msg: unknown;
        try {
          msg = JSON.parse(line);
        } catch {
          msg = undefined;
        }
        if (isMaelstromMessage(msg)) events.message(msg);
        else events.garbage(line);
      }
    });
    // A node that dies mid-write must not take the shim with it through EPIPE.
    this.child.stdin!.on('error', () => undefined);
    this.child.on('error', (err) => {
      process.stderr.write(`maelstrom shim: cannot start ${command}: ${err.message}\n`);
      events.exit(127, null);
    });
    this.child.on('exit', (code, signal) => events.exit(code, signal));
  }

  /** Write one message to the node's stdin. */
  send(msg: MaelstromMessage): void {
    if (this.child.stdin?.writable) this.child.stdin.write(`${JSON.stringify(msg)}\n`);
  }

  /** End the node (SIGTERM, then SIGKILL after `graceMs`). */
  stop(graceMs: number): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.kill('SIGTERM');
    });
  }
}

/** The `init` message that tells node `self` its id and every node's id. */
export function initMessage(self: string, nodes: readonly string[]): MaelstromMessage {
  return { src: INIT_CLIENT, dest: self, body: { type: 'init', msg_id: 1, node_id: self, node_ids: [...nodes] } };
}

/** Whether `msg` is the node's `init_ok`. */
export function isInitOk(msg: MaelstromMessage): boolean {
  return msg.dest === INIT_CLIENT && msg.body.type === 'init_ok' && msg.body.in_reply_to === 1;
}
