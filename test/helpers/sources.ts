/** The TypeScript files under a folder of the repository, as paths relative to its root (for the layout specs). */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './cli.js';

export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir))) {
    const path = join(ROOT, dir, entry);
    if (statSync(path).isDirectory()) for (const file of sourceFiles(relative(ROOT, path))) out.push(file);
    else if (path.endsWith('.ts')) out.push(relative(ROOT, path));
  }
  return out;
}
