/** `faultline list`: every system with its bugs and options, every workload and nemesis. */
import chalk from 'chalk';
import type { CommandModule } from 'yargs';
import { nemeses, systems, workloads } from '../registry.js';

export const listCommand: CommandModule = {
  command: 'list',
  describe: 'List systems (with their known bugs), workloads and nemeses',
  handler: () => {
    const out: string[] = [chalk.bold('Systems (--cluster)')];
    for (const s of Object.values(systems)) {
      out.push(`  ${chalk.cyan(s.name)}  ${s.description}`);
      out.push(`    workloads: ${Object.keys(s.clients).join(', ')}`);
      for (const [name, opt] of Object.entries(s.options ?? {})) {
        out.push(`    --${name} ${opt.choices ? `<${opt.choices.join('|')}>` : '<value>'}  ${opt.describe} (default ${opt.default})`);
      }
      for (const [bug, what] of Object.entries(s.bugs)) out.push(`    --bug ${chalk.magenta(bug)}  ${what}`);
    }
    out.push('', chalk.bold('Workloads (--workload)'));
    for (const w of Object.values(workloads)) out.push(`  ${chalk.cyan(w.name)}  ${w.description}`);
    out.push('', chalk.bold('Nemeses (--nemesis, comma-separated)'));
    for (const n of Object.values(nemeses)) out.push(`  ${chalk.cyan(n.name)}  ${n.description}`);
    process.stdout.write(`${out.join('\n')}\n`);
  },
};
