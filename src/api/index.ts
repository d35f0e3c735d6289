/**
 * `faultline/api`: the interfaces a plug-in implements, as published in package.json `exports`.
 * Types only, and the version constant they are checked against.
 */
export type * from './checker.js';
export type * from './client.js';
export type * from './cluster.js';
export type * from './generator.js';
export type * from './host.js';
export type * from './model.js';
export type * from './nemesis.js';
export type * from './net.js';
export type * from './op.js';
export type * from './test-spec.js';
export type * from './workload.js';
export type { Plugin } from './plugin.js';

/**
 * The version of these interfaces. It grows whenever they change (older plug-ins keep working):
 * a plug-in that states a newer `apiVersion` than this faultline has is refused, since it may use
 * what this faultline lacks. 2: a known bug may be `{ describe, nemeses, workload? }`.
 */
export const API_VERSION = 2;
