import { scaleCase } from './scale.js';
const r = await scaleCase({ ops: 1_000_000, processes: 20, keys: 1, seed: 1, timeoutMs: 120_000 });
console.log(JSON.stringify(r));
