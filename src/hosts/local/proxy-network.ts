/**
 * `--net proxy`, the embedded default's network: nodes listen on free ports of 127.0.0.1 and dial
 * each other, and clients dial them, through the fault proxy (no root needed).
 */
import { ProxyNet } from '../../net/proxy/proxy-net.js';
import type { LocalNetworkMode } from './network.js';
import { allocatePort } from './ports.js';

const LOOPBACK = '127.0.0.1';

export const proxyNetwork: LocalNetworkMode = {
  description: "every node link and client link through faultline's fault proxy on 127.0.0.1 (no privileges)",
  check: () => undefined,
  lacks: async () => ({}),
  async start({ spec, signal }) {
    const peerListen: Record<string, string> = {};
    const clientListen: Record<string, string> = {};
    for (const node of spec.nodes) {
      peerListen[node] = `${LOOPBACK}:${await allocatePort()}`;
      clientListen[node] = `${LOOPBACK}:${await allocatePort()}`;
    }
    const net = await ProxyNet.start({ nodes: [...spec.nodes], peerTargets: peerListen, clientTargets: clientListen, seed: spec.seed }, signal);
    return {
      net,
      peerListen,
      clientListen,
      clientAddresses: Object.fromEntries(spec.nodes.map((n) => [n, net.clientAddress(n)])),
      peerAddress: (from, to) => net.peerAddress(from, to),
      wrapLaunch: (_node, launch) => launch,
      describe: () => net.describe(),
      close: () => net.close(),
    };
  },
};
