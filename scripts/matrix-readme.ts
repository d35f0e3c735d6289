/**
 * `npm run matrix:readme -- [matrix directory or matrix.json] [README.md]`: put a `faultline
 * matrix` table into the README's marked section, and its data into docs/matrix.json. Without a
 * matrix, the newest `results/matrix-*` directory. A matrix of some systems (`--systems`) or bugs
 * (`--bugs`) run with the published settings replaces only the rows it measured; rows are put in
 * the order `faultline matrix` runs them.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { matrixCases } from '../src/matrix/cases.js';
import { mergeMatrices, rewriteMatrixSection } from '../src/matrix/readme.js';
import type { MatrixTable } from '../src/matrix/table.js';
import { systems } from '../src/registry.js';

function newestMatrix(root: string): string {
  const dirs = readdirSync(root).filter((d) => d.startsWith('matrix-')).sort();
  const newest = dirs.at(-1);
  if (newest === undefined) throw new Error(`no matrix-* directory in ${root}: run faultline matrix first, or name its matrix.json`);
  return join(root, newest);
}

const PUBLISHED = 'docs/matrix.json';
const [given, readmeArg] = process.argv.slice(2);
const source = given ?? newestMatrix('results');
const file = statSync(source).isDirectory() ? join(source, 'matrix.json') : source;
const readTable = (path: string): MatrixTable => JSON.parse(readFileSync(path, 'utf8')) as MatrixTable;
const { table, merged } = mergeMatrices(existsSync(PUBLISHED) ? readTable(PUBLISHED) : undefined, readTable(file), matrixCases(systems, { correct: true }));
const readme = resolve(readmeArg ?? 'README.md');
writeFileSync(readme, rewriteMatrixSection(readFileSync(readme, 'utf8'), table));
writeFileSync(PUBLISHED, `${JSON.stringify(table, null, 2)}\n`);
const how = merged ? `merged the systems of ${file} into the published table` : `replaced the published table with ${file}`;
process.stdout.write(`${how}; rewrote the matrix section of ${readme}; its data is in ${PUBLISHED}\n`);
