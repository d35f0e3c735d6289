/**
 * Splits EDN text into its top-level forms as the text streams in, so a history of any size is
 * read one operation at a time. The elements of a top-level vector or list are forms of their
 * own: a Knossos or Jepsen history written as one vector (`[{...}\n {...}]`), even on one line of
 * gigabytes, streams op by op. Each form's text then goes to edn-data (./edn.ts), which builds
 * the value.
 *
 * Why a scanner of our own in front of edn-data: edn-data parses a whole string (its list stream
 * needs a top-level list and holds a vector whole) and accepts broken input quietly (`[1 2}`
 * reads as a set, `{:a 1 :b}` drops `:b`, `\(` opens a list, a comment glued to a symbol joins
 * it to the next line's). This scanner knows where every form starts and ends, refuses what
 * edn-data would misread, with the line it is on, and tells a form cut off by the end of the file
 * (a torn write) from a malformed one. Values are left to edn-data.
 */

import { classify } from './edn-tokens.js';

/** EDN that cannot be read, on `line`. */
export class EdnSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/** One complete form: its text, ready for edn-data, and the line it starts on. */
export interface EdnForm {
  text: string;
  line: number;
}

/** How the text ended: cleanly, in the middle of a form, or inside a top-level vector never closed. */
export interface EdnEnd {
  /**
   * A form the end of the text cut off: where it starts, what was missing, and whether it ran
   * over more than one line (a crash tears the last line; a form left open over many lines is
   * more likely a bracket missing in the middle, which swallowed everything after it).
   */
  torn?: { line: number; why: string; lines: boolean };
  /** The top-level vector or list whose elements were streamed, when it was never closed. */
  unclosed?: { line: number; kind: string };
}

type FrameKind = 'top' | 'vector' | 'list' | 'map' | 'set';

interface Frame {
  kind: FrameKind;
  /** Char code that closes it (0 for the top). */
  close: number;
  /** Line it opened on. */
  line: number;
  /** Values completed directly inside it. */
  count: number;
  /** Tags (false) and `#_` discards (true) still waiting for their value, innermost last. */
  prefixes: boolean[];
}

/** A change to a form's text before edn-data reads it: drop `remove` chars at `at`, then insert `insert`. */
interface Edit {
  at: number;
  remove: number;
  insert: string;
}

/** Deeper nesting is refused: no history needs it, and it bounds every recursion over a value. */
export const MAX_DEPTH = 64;
/** The longest single form: past it a "history" is not one op per form. */
export const MAX_FORM_CHARS = 1 << 28;

const enum Mode {
  Idle,
  Comment,
  Str,
  StrEscape,
  Token,
  /** Just read `#`: a set, a discard or a tag follows. */
  Hash,
}

const NL = 10;
const OPENERS: Readonly<Record<number, { kind: FrameKind; close: number }>> = {
  0x5b: { kind: 'vector', close: 0x5d }, // [ ]
  0x28: { kind: 'list', close: 0x29 }, // ( )
  0x7b: { kind: 'map', close: 0x7d }, // { }
};

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === NL || c === 0x0d || c === 0x2c; // space tab \n \r ,
}

/** Ends a token: whitespace, brackets, a quote or a comment. */
function isDelimiter(c: number): boolean {
  return isWhitespace(c) || c === 0x28 || c === 0x29 || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d || c === 0x22 || c === 0x3b;
}

/**
 * The scanner. `feed` it text in pieces of any size, then call `end`; every complete form goes to
 * `onForm` as soon as it ends, which may return `false` to stop (then `feed` returns the offset
 * just after that form). Throws `EdnSyntaxError` on text that is not EDN.
 */
export class EdnForms {
  private mode = Mode.Idle;
  private readonly frames: Frame[] = [{ kind: 'top', close: 0, line: 1, count: 0, prefixes: [] }];
  /** Depth whose values are emitted: 0, or 1 inside a streamed top-level vector or list. */
  private emitDepth = 0;
  private line = 1;
  private stopped = false;

  // The form being read at the emitting depth.
  private inForm = false;
  private formLine = 0;
  /** Offset of the form's start in the current text (0 when it began in an earlier text). */
  private formStart = 0;
  /** The form's text from earlier pieces. */
  private pieces: string[] = [];
  private piecesLength = 0;
  private edits: Edit[] = [];

  /** The token being read: its part from earlier pieces, and its start in the current text. */
  private tokenHead = '';
  private tokenStart = 0;
  /** Where the comment being read starts, as an offset in the form, when it is inside one. */
  private commentAt = -1;
  /** Line a string being read opened on. */
  private stringLine = 0;

  constructor(
    private readonly onForm: (form: EdnForm) => boolean | void,
    /** Stream the elements of top-level vectors and lists as forms (a history file); off for single values. */
    private readonly streamTopLevel = true,
  ) {}

  /** Scan `text`; returns the offset scanning stopped at (its length unless `onForm` said stop). */
  feed(text: string): number {
    let i = 0;
    const n = text.length;
    while (i < n && !this.stopped) i = this.step(text, i);
    if (!this.stopped) this.carryOver(text);
    return i;
  }

  /** The text is over: finish a last bare token and say whether anything was cut off. */
  end(): EdnEnd {
    if (this.stopped) return {};
    if (this.mode === Mode.Token || this.mode === Mode.Hash) {
      try {
        this.mode === Mode.Hash ? this.classifyToken('#', 0) : this.endToken('', 0);
      } catch (err) {
        return { torn: { line: this.inForm ? this.formLine : this.line, why: err instanceof Error ? err.message : String(err), lines: this.formSpansLines() } };
      }
      this.mode = Mode.Idle;
    }
    const out: EdnEnd = {};
    const why = this.unfinished();
    if (why !== undefined) out.torn = { line: this.formLine, why, lines: this.formSpansLines() };
    const container = this.frames[1];
    if (this.emitDepth === 1 && container) out.unclosed = { line: container.line, kind: container.kind };
    return out;
  }

  /** Whether the unfinished form has text on more than one line (all of it is in `pieces` by now). */
  private formSpansLines(): boolean {
    return this.inForm && /\n[\s,]*[^\s,]/.test(this.pieces.join(''));
  }

  /** What the current form lacks, if one is in progress. */
  private unfinished(): string | undefined {
    if (this.mode === Mode.Str || this.mode === Mode.StrEscape) return `the text ends inside the string opened on line ${this.stringLine}`;
    const open = this.frames[this.frames.length - 1]!;
    if (this.frames.length - 1 > this.emitDepth) return `the text ends inside the ${open.kind} opened on line ${open.line}`;
    if (this.inForm) return 'the text ends after a tag or #_ with no value';
    return undefined;
  }

  /** Process the character at `i`; returns the next offset. */
  private step(t: string, i: number): number {
    const c = t.charCodeAt(i);
    switch (this.mode) {
      case Mode.Comment:
        if (c === NL) {
          if (this.commentAt >= 0) this.edits.push({ at: this.commentAt, remove: this.formOffset(i) - this.commentAt, insert: '' });
          this.commentAt = -1;
          this.mode = Mode.Idle;
          this.line++;
        }
        return i + 1;
      case Mode.Str:
        if (c === 0x22) {
          this.mode = Mode.Idle;
          this.completeValue(t, i + 1);
        } else if (c === 0x5c) this.mode = Mode.StrEscape;
        else if (c === NL) this.line++;
        return i + 1;
      case Mode.StrEscape:
        if (c === NL) this.line++;
        this.mode = Mode.Str;
        return i + 1;
      case Mode.Token:
        if (!isDelimiter(c)) return i + 1;
        this.endToken(t, i);
        this.mode = Mode.Idle;
        return i; // the delimiter is read in Idle
      case Mode.Hash:
        this.mode = Mode.Idle;
        if (c === 0x7b || c === 0x5f) {
          this.tokenHead = '';
          if (c === 0x7b) this.open('set', 0x7d);
          else this.addPrefix(true);
          return i + 1;
        }
        // A tag: the token began at the '#', possibly at the end of the previous piece.
        this.mode = Mode.Token;
        if (i > 0 && this.tokenHead === '') this.tokenStart = i - 1;
        else {
          this.tokenHead = '#';
          this.tokenStart = i;
        }
        return i;
      case Mode.Idle:
        return this.idle(t, i, c);
    }
  }

  private idle(t: string, i: number, c: number): number {
    if (isWhitespace(c)) {
      if (c === NL) this.line++;
      return i + 1;
    }
    if (c === 0x3b) {
      this.mode = Mode.Comment;
      if (this.inForm) this.commentAt = this.formOffset(i);
      return i + 1;
    }
    const opener = OPENERS[c];
    if (c === 0x5d || c === 0x29 || c === 0x7d) {
      this.close(t, i, c);
      return i + 1;
    }
    if (opener && this.streamTopLevel && c !== 0x7b && this.frames.length === 1 && !this.inForm) {
      // A top-level vector or list: its elements are the forms.
      this.frames.push({ kind: opener.kind, close: opener.close, line: this.line, count: 0, prefixes: [] });
      this.emitDepth = 1;
      return i + 1;
    }
    this.beginValue(i);
    if (opener) {
      this.open(opener.kind, opener.close);
    } else if (c === 0x22) {
      this.mode = Mode.Str;
      this.stringLine = this.line;
    } else if (c === 0x23) {
      this.mode = Mode.Hash;
      this.tokenHead = '';
      this.tokenStart = i;
    } else {
      this.mode = Mode.Token;
      this.tokenHead = '';
      this.tokenStart = i;
    }
    return i + 1;
  }

  private top(): Frame {
    return this.frames[this.frames.length - 1]!;
  }

  /** A value (or a prefix) starts at `i`; at the emitting depth it starts a form. */
  private beginValue(i: number): void {
    if (this.inForm || this.frames.length - 1 !== this.emitDepth) return;
    this.inForm = true;
    this.formLine = this.line;
    this.formStart = i;
    this.pieces = [];
    this.piecesLength = 0;
    this.edits = [];
  }

  private open(kind: FrameKind, close: number): void {
    if (this.frames.length > MAX_DEPTH) throw new EdnSyntaxError(`nested deeper than ${MAX_DEPTH}`, this.line);
    this.frames.push({ kind, close, line: this.line, count: 0, prefixes: [] });
  }

  /** A tag (false) or `#_` (true) waiting for the next value; stacked ones count towards the depth. */
  private addPrefix(discard: boolean): void {
    const prefixes = this.top().prefixes;
    if (prefixes.length + this.frames.length > MAX_DEPTH) throw new EdnSyntaxError(`nested deeper than ${MAX_DEPTH}`, this.line);
    prefixes.push(discard);
  }

  private close(t: string, i: number, c: number): void {
    const frame = this.top();
    const found = String.fromCharCode(c);
    if (this.frames.length === 1) throw new EdnSyntaxError(`unexpected ${JSON.stringify(found)} with nothing open`, this.line);
    if (c !== frame.close) {
      throw new EdnSyntaxError(`expected ${JSON.stringify(String.fromCharCode(frame.close))} to close the ${frame.kind} opened on line ${frame.line}, found ${JSON.stringify(found)}`, this.line);
    }
    if (frame.prefixes.length > 0) throw new EdnSyntaxError(`a tag or #_ with no value before ${JSON.stringify(found)}`, this.line);
    if (frame.kind === 'map' && frame.count % 2 !== 0) throw new EdnSyntaxError(`the map opened on line ${frame.line} has a key without a value`, this.line);
    this.frames.pop();
    if (this.frames.length === this.emitDepth) {
      this.emitDepth = 0; // the streamed top-level vector is over
      return;
    }
    this.completeValue(t, i + 1);
  }

  /** A token ends before offset `i` of `t`. */
  private endToken(t: string, i: number): void {
    const token = this.tokenHead + t.slice(this.tokenStart, i);
    this.tokenHead = '';
    this.classifyToken(token, i, t);
  }

  private classifyToken(token: string, i: number, t = ''): void {
    let kind: ReturnType<typeof classify>;
    try {
      kind = classify(token);
    } catch (err) {
      throw new EdnSyntaxError((err as Error).message, this.line);
    }
    if (kind === 'tag') {
      this.addPrefix(false);
      return;
    }
    // edn-data reads an integer past 2^53 as an inexact float; as a bigint (N) it stays exact.
    if (kind === 'bigint') this.edits.push({ at: this.formOffset(i), remove: 0, insert: 'N' });
    this.completeValue(t, i);
  }

  /** A value ends before offset `end` of `t`: apply pending prefixes; at the emitting depth the form is done. */
  private completeValue(t: string, end: number): void {
    const frame = this.top();
    let dropped = false;
    while (frame.prefixes.length > 0) {
      if (frame.prefixes.pop()) {
        dropped = true;
        break;
      }
    }
    if (!dropped) frame.count++;
    if (this.frames.length - 1 !== this.emitDepth || frame.prefixes.length > 0) return;
    if (dropped) {
      this.inForm = false;
      return;
    }
    this.emit(t, end);
  }

  private emit(t: string, end: number): void {
    const raw = this.pieces.length > 0 ? this.pieces.join('') + t.slice(this.formStart, end) : t.slice(this.formStart, end);
    this.inForm = false;
    this.pieces = [];
    this.piecesLength = 0;
    const text = this.edits.length > 0 ? applyEdits(raw, this.edits) : raw;
    this.edits = [];
    if (this.onForm({ text, line: this.formLine }) === false) this.stopped = true;
  }

  /** Offset of `i` (in the current text) within the form being read. */
  private formOffset(i: number): number {
    return this.piecesLength + i - this.formStart;
  }

  /** The current text is used up: keep the unfinished form's and token's parts for the next one. */
  private carryOver(t: string): void {
    if (this.mode === Mode.Token || this.mode === Mode.Hash) {
      this.tokenHead += t.slice(this.tokenStart);
      this.tokenStart = 0;
    }
    if (!this.inForm) return;
    const part = t.slice(this.formStart);
    this.piecesLength += part.length;
    if (this.piecesLength > MAX_FORM_CHARS) {
      throw new EdnSyntaxError(`the form starting here is longer than ${MAX_FORM_CHARS >> 20} Mi characters: a history holds one op per form`, this.formLine);
    }
    this.pieces.push(part);
    this.formStart = 0;
  }
}

function applyEdits(text: string, edits: readonly Edit[]): string {
  let out = '';
  let from = 0;
  for (const e of edits) {
    out += text.slice(from, e.at) + e.insert;
    from = e.at + e.remove;
  }
  return out + text.slice(from);
}
