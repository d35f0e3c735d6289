/**
 * The atoms of EDN (numbers, keywords, symbols, characters, tag names) as the scanner in
 * ./edn-forms.ts meets them: which kind each is, or why it cannot be read. Only what edn-data
 * reads as meant passes: a number it would take for a symbol (`007`, `1.`, `1/2`), a character
 * it would take for a bracket (`\(`), an auto-resolved keyword (`::a`) are refused here.
 */

// The number syntax edn-data reads as numbers; anything else starting like a number would become a symbol.
const INT = /^[-+]?(0|[1-9][0-9]*)$/;
const BIGINT = /^[-+]?(0|[1-9][0-9]*)N$/;
const FLOAT = /^[-+]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?(0|[1-9][0-9]*))?M?$/;
const CHAR_NAMES = /^\\(newline|space|tab|return|formfeed|backspace|u[0-9a-fA-F]{4}|.)$/su;
const SYMBOL_START = /^[\p{L}*+!\-_?<>=./$%&]/u;

/** What a token is (a tag name, a value, or an integer past 2^53), or an Error saying why it cannot be read. */
export function classify(token: string): 'tag' | 'value' | 'bigint' {
  const bad = (why = 'cannot read'): never => {
    throw new Error(`${why} ${JSON.stringify(token.length > 40 ? `${token.slice(0, 40)}...` : token)}`);
  };
  const c = token[0];
  if (c === '#') {
    if (!/^#\p{L}/u.test(token)) bad();
    return 'tag';
  }
  if (c === '\\') {
    if (!CHAR_NAMES.test(token)) bad(token === '\\' ? 'a character literal of a bracket, quote, space or comma is not supported:' : 'cannot read the character');
    return 'value';
  }
  if (/^[+\-.]?\d/.test(token)) {
    if (INT.test(token)) return Number.isSafeInteger(Number(token)) ? 'value' : 'bigint';
    if (BIGINT.test(token) || FLOAT.test(token)) return 'value';
    return bad('cannot read the number');
  }
  if (token.endsWith('#')) bad();
  if (c === ':') {
    if (token.length === 1 || token[1] === ':') bad('cannot read the keyword');
    return 'value';
  }
  if (!SYMBOL_START.test(token)) bad();
  return 'value';
}
