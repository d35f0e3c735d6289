/**
 * EDN values as plain data, read with edn-data: keywords, symbols and characters become strings
 * (Jepsen's own JSON convention: `:ok` is "ok"), vectors, lists and sets become arrays, maps
 * objects (a key that is not a string or keyword becomes its JSON text), integers past 2^53
 * strings of their digits, `#inst` an ISO date string, and any other tagged value (Jepsen's
 * `#jepsen.history.Op{...}`, Knossos's `#knossos.op.Op{...}`, `#uuid "..."`) its value.
 *
 * Text reaches here as single forms that ./edn-forms.ts has checked; this file only builds values.
 */
import { parseEDNString } from 'edn-data';
import { EdnForms, EdnSyntaxError, type EdnForm } from './edn-forms.js';

export { EdnSyntaxError } from './edn-forms.js';

/** A form that is one small integer, a keyword, nil or a boolean: most values in a Jepsen log. */
const SCALAR = /^(?:nil|true|false|[-+]?(?:0|[1-9][0-9]{0,14})|:[^\s,()[\]{}";#\\:][^\s,()[\]{}";]*)$/;

/** The plain value of one EDN form's text. @throws EdnSyntaxError (at `line`) when edn-data cannot read it. */
export function ednValue(text: string, line = 1): unknown {
  // The scanner has checked the token; the commonest ones need no parser (a tenth of the time).
  if (SCALAR.test(text)) return scalar(text);
  let rich: unknown;
  try {
    rich = parseEDNString(text);
  } catch (err) {
    throw new EdnSyntaxError(err instanceof Error ? err.message : String(err), line);
  }
  try {
    return plain(rich);
  } catch (err) {
    throw new EdnSyntaxError(err instanceof Error ? err.message : String(err), line);
  }
}

/**
 * The first `max` forms of `text` (one line's worth, not streamed), the offset after the last of
 * them, and why scanning stopped early, if it did (a form that does not read or is cut off).
 */
export function leadingForms(text: string, max: number): { forms: EdnForm[]; end: number; error?: string } {
  const forms: EdnForm[] = [];
  const scanner = new EdnForms((form) => {
    forms.push(form);
    return forms.length < max;
  }, false);
  try {
    const end = scanner.feed(text);
    if (forms.length === max) return { forms, end };
    const { torn } = scanner.end();
    return torn ? { forms, end: text.length, error: torn.why } : { forms, end: text.length };
  } catch (err) {
    return { forms, end: text.length, error: err instanceof Error ? err.message : String(err) };
  }
}

function scalar(token: string): unknown {
  if (token === 'nil') return null;
  if (token === 'true' || token === 'false') return token === 'true';
  return token.startsWith(':') ? token.slice(1) : Number(token);
}

/** edn-data's rich values (`{key}`, `{sym}`, `{char}`, `{list}`, `{set}`, `{map}`, `{tag, val}`) as plain data. */
function plain(v: unknown): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(plain);
  const o = v as Record<string, unknown>;
  if (typeof o.key === 'string') return o.key;
  if (typeof o.sym === 'string') return o.sym;
  if (typeof o.char === 'string') return o.char;
  if (Array.isArray(o.list)) return o.list.map(plain);
  if (Array.isArray(o.set)) return o.set.map(plain);
  if (Array.isArray(o.map)) {
    return Object.fromEntries(
      (o.map as [unknown, unknown][]).map(([k, val]) => {
        const key = plain(k);
        return [typeof key === 'string' ? key : JSON.stringify(key), plain(val)];
      }),
    );
  }
  if (typeof o.tag === 'string' && 'val' in o) return plain(o.val);
  throw new Error('edn-data returned a value of an unknown kind');
}
