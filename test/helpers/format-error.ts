import { HistoryFormatError } from '../../src/history/formats/index.js';

/** The HistoryFormatError `fn` throws; anything else (or nothing) fails the test. */
export function formatError(fn: () => unknown): HistoryFormatError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HistoryFormatError) return e;
    throw e;
  }
  throw new Error('expected a HistoryFormatError');
}
