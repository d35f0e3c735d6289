/**
 * A shim's line to the run's service host (./service-host.ts): sends what its node writes to a
 * service, hands the replies back, and reconnects when the line drops (the host may still be
 * starting when the shim does).
 */
import { connect, type Socket } from 'node:net';
import { LineSplitter } from '../../src/node/transport.js';
import { isMaelstromMessage, type MaelstromMessage } from './protocol.js';

const RETRY_MS = 100;

export class ServiceLink {
  private socket: Socket | undefined;
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly onReply: (msg: MaelstromMessage) => void,
  ) {
    this.dial();
  }

  /** Send `msg` to the host; false when the line is down (the caller answers the node itself). */
  send(msg: MaelstromMessage): boolean {
    if (!this.socket) return false;
    this.socket.write(`${JSON.stringify(msg)}\n`);
    return true;
  }

  close(): void {
    this.closed = true;
    this.socket?.destroy();
  }

  private dial(): void {
    if (this.closed) return;
    const socket = connect(this.path);
    const splitter = new LineSplitter(16 * 1024 * 1024);
    socket.once('connect', () => (this.socket = socket));
    socket.on('data', (chunk: Buffer) => {
      for (const line of splitter.push(chunk)) {
        try {
          const msg: unknown = JSON.parse(line);
          if (isMaelstromMessage(msg)) this.onReply(msg);
        } catch {
          // a line that is no message: nothing to hand back
        }
      }
    });
    socket.on('error', () => undefined);
    socket.once('close', () => {
      if (this.socket === socket) this.socket = undefined;
      setTimeout(() => this.dial(), RETRY_MS).unref();
    });
  }
}
