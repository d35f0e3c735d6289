/**
 * `faultline lab <backend> up|down`: build or remove a host backend's lab, stand-in
 * infrastructure on this machine (HostBackend.lab in src/api/host.ts), e.g. a Docker daemon or
 * SSH hosts inside network namespaces, so the backend can be tried without real machines.
 */
import type { CommandModule } from 'yargs';
import type { HostBackend, HostLab } from '../api/host.js';
import { hostBackends, lookup } from '../registry.js';
import { UserError } from '../user-error.js';

/** Every lab option of any backend, by name. */
function labOptionNames(): string[] {
  return [...new Set(Object.values(hostBackends).flatMap((b) => Object.keys(b.lab?.options ?? {})))];
}

function labOf(backend: HostBackend): HostLab {
  if (backend.lab) return backend.lab;
  const withLabs = Object.values(hostBackends).filter((b) => b.lab).map((b) => b.name);
  throw new UserError(`--hosts ${backend.name} has no lab${withLabs.length > 0 ? `; these do: ${withLabs.join(', ')}` : ' (no backend here has one yet)'}`);
}

interface LabArgs {
  backend: string;
  action: string;
  [option: string]: unknown;
}

export const labCommand: CommandModule<object, LabArgs> = {
  command: 'lab <backend> <action>',
  describe: "Build (up) or remove (down) a host backend's lab on this machine, to try the backend without real machines",
  builder: (y) => {
    let out = y
      .positional('backend', { type: 'string', demandOption: true, describe: 'A host backend with a lab (faultline list)' })
      .positional('action', { type: 'string', choices: ['up', 'down'], demandOption: true, describe: 'up: build it; down: remove all of it' });
    for (const name of labOptionNames()) out = out.option(name, { type: 'string', describe: 'An option of the lab (faultline list)' });
    return out as never;
  },
  handler: async (args) => {
    const lab = labOf(lookup('hosts', hostBackends, args.backend));
    const options: Record<string, string> = {};
    for (const name of labOptionNames()) if (args[name] !== undefined) options[name] = String(args[name]);
    const unknown = Object.keys(options).filter((name) => !lab.options?.[name]);
    if (unknown.length > 0) throw new UserError(`--${unknown[0]} is not an option of the ${args.backend} lab`);
    const lines = args.action === 'up' ? await lab.up(options) : await lab.down(options);
    if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
  },
};
