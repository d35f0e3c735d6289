/**
 * Plug-ins are loaded before yargs parses the command line, so their systems, options and bugs
 * are in `--help`, in `faultline list` and in validation. This reads `--plugin <ref>` and a
 * `--cluster <path>` out of the raw arguments, loads them, and returns the arguments with each
 * reference replaced by its absolute entry file (`--cluster <path>` becomes `--cluster <name>
 * --plugin <entry>`), which is what the run stores and what its repeat command says.
 */
import { UserError } from '../user-error.js';

/** The plug-in loader, imported only by a command line that names a plug-in or a cluster: it loads every built-in plug-in. */
const pluginLoader = () => import('../plugin-loader.js');

/** `--name value` or `--name=value` at `args[i]`: the value and how many arguments it took, or undefined. */
function valueAt(args: readonly string[], i: number, names: readonly string[]): { value: string; width: number } | undefined {
  const arg = args[i] as string;
  for (const name of names) {
    if (arg === name) return args[i + 1] === undefined ? undefined : { value: args[i + 1] as string, width: 2 };
    if (arg.startsWith(`${name}=`)) return { value: arg.slice(name.length + 1), width: 1 };
  }
  return undefined;
}

export async function preloadPlugins(args: readonly string[], cwd = process.cwd()): Promise<string[]> {
  const out: string[] = [];
  const extra: string[] = [];
  for (let i = 0; i < args.length; ) {
    if (args[i] === '--') {
      for (const item of args.slice(i)) out.push(item);
      break;
    }
    const plugin = valueAt(args, i, ['--plugin']);
    const cluster = valueAt(args, i, ['--cluster', '-c']);
    if (plugin) {
      out.push('--plugin', (await (await pluginLoader()).loadPlugin(plugin.value, cwd)).entry);
      i += plugin.width;
    } else if (cluster && (await pluginLoader()).isPathLike(cluster.value)) {
      const { entry, plugin: loaded } = await (await pluginLoader()).loadPlugin(cluster.value, cwd);
      const names = (loaded.systems ?? []).map((s) => s.name);
      if (names.length !== 1) {
        throw new UserError(`--cluster ${cluster.value} defines ${names.length === 0 ? 'no system' : `${names.length} systems (${names.join(', ')})`}: give --plugin ${cluster.value} --cluster <name>`);
      }
      out.push('--cluster', names[0] as string);
      extra.push('--plugin', entry);
      i += cluster.width;
    } else {
      out.push(args[i] as string);
      i += 1;
    }
  }
  return [...out, ...extra];
}
