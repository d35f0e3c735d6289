/**
 * A package loaded the first time it is used, not when the module naming it is imported.
 *
 * Why: the host backends (dockerode, ssh2, tar-stream) are in every command's import graph
 * through the registry, yet only `test`, `clean` and `lab` against Docker or SSH hosts touch
 * them; loading them eagerly cost `faultline check`, `report` and `list` most of their start-up.
 * These packages are CommonJS, so a synchronous `require` keeps their callers synchronous.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A getter for package `name`'s exports, loaded on the first call. */
export function lazyRequire<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(name) as T);
}
