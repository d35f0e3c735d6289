/**
 * `npm run matrix:readme -- [matrix directory or matrix.json] [README.md]`: put a `faultline
 * matrix` table into the README's marked section, and its data into docs/matrix.json. Without a
 * matrix, the newest `results/matrix-*` directory.
 */
import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { rewriteMatrixSection } from '../src/matrix/readme.js';
import type { MatrixTable } from '../src/matrix/table.js';

function newestMatrix(root: string): string {
  const dirs = readdirSync(root).filter((d) => d.startsWith('matrix-')).sort();
  const newest = dirs.at(-1);
  if (newest === undefined) throw new Error(`no matrix-* directory in ${root}: run faultline matrix first, or name its matrix.json`);
  return join(root, newest);
}

const [given, readmeArg] = process.argv.slice(2);
const source = given ?? newestMatrix('results');
const file = statSync(source).isDirectory() ? join(source, 'matrix.json') : source;
const table = JSON.parse(readFileSync(file, 'utf8')) as MatrixTable;
const readme = resolve(readmeArg ?? 'README.md');
writeFileSync(readme, rewriteMatrixSection(readFileSync(readme, 'utf8'), table));
copyFileSync(file, 'docs/matrix.json');
process.stdout.write(`rewrote the matrix section of ${readme} from ${file}; its data is in docs/matrix.json\n`);
