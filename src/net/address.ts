/** Addresses as faultline writes them: `host:port`, IPv6 hosts in brackets. */

/** Split `host:port` (IPv6 hosts in brackets) into its parts. */
export function parseHostPort(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  const host = address.slice(0, Math.max(colon, 0)).replace(/^\[(.*)\]$/, '$1');
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`not a host:port address: ${JSON.stringify(address)}`);
  }
  return { host, port };
}
