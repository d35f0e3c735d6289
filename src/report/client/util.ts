/// <reference lib="dom" />
/**
 * Helpers of the report's page script: building elements, formatting times, the shared
 * tooltip, nice axis steps. Like every function of the page script, `makeUtil` is
 * self-contained (it is shipped as its source text; see ../client-bundle.ts): nothing in it may
 * refer to anything outside its own body but browser globals.
 */

export function makeUtil() {
  const SVG = 'http://www.w3.org/2000/svg';
  type Attrs = Record<string, string | number | boolean | undefined>;
  type Kid = Node | string | null | undefined | false;

  function set(node: Element, attrs: Attrs): void {
    for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== false) node.setAttribute(k, v === true ? '' : String(v));
  }

  function add(node: Element, kids: readonly Kid[]): void {
    for (const kid of kids) if (kid !== null && kid !== undefined && kid !== false) node.append(kid);
  }

  /** An HTML element. */
  function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...kids: Kid[]): HTMLElementTagNameMap[K] {
    const node = document.createElement(tag);
    set(node, attrs);
    add(node, kids);
    return node;
  }

  /** An SVG element. */
  function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, ...kids: Kid[]): SVGElementTagNameMap[K] {
    const node = document.createElementNS(SVG, tag);
    set(node, attrs);
    add(node, kids);
    return node;
  }

  /** Seconds with enough digits for `span` (ms): `12.3 s`, `12.345 s`. */
  function secs(ms: number, spanMs = 10_000): string {
    const digits = spanMs >= 60_000 ? 1 : spanMs >= 2_000 ? 2 : spanMs >= 200 ? 3 : 4;
    return `${(ms / 1000).toFixed(digits)} s`;
  }

  /** A duration: `850 µs`, `12.5 ms`, `3.20 s`. */
  function duration(ms: number): string {
    if (ms < 1) return `${Math.round(ms * 1000)} µs`;
    if (ms < 1000) return `${ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : Math.round(ms)} ms`;
    return `${(ms / 1000).toFixed(2)} s`;
  }

  /** A round step near `raw`: 1, 2 or 5 times a power of ten. */
  function niceStep(raw: number): number {
    const p = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-9))));
    const m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }

  /** First index of sorted `xs` whose value is >= `x`. */
  function lowerBound(xs: ArrayLike<number>, x: number, lo = 0, hi = xs.length): number {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((xs[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The `q` quantile of `xs` (sorted in place). */
  function quantile(xs: number[], q: number): number {
    xs.sort((a, b) => a - b);
    return xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] as number;
  }

  let tip: HTMLDivElement | undefined;
  /** Show the shared tooltip near the pointer with `lines` (the first in bold). */
  function showTip(x: number, y: number, lines: readonly string[]): void {
    if (!tip) {
      tip = el('div', { class: 'tip', role: 'tooltip' });
      document.body.append(tip);
    }
    tip.replaceChildren(...lines.map((line, i) => el(i === 0 ? 'b' : 'div', {}, line)));
    tip.style.display = 'block';
    const w = tip.offsetWidth;
    const h = tip.offsetHeight;
    tip.style.left = `${Math.min(x + 14, window.scrollX + document.documentElement.clientWidth - w - 8)}px`;
    tip.style.top = `${y + 16 + h > window.scrollY + window.innerHeight ? y - h - 10 : y + 16}px`;
  }

  function hideTip(): void {
    if (tip) tip.style.display = 'none';
  }

  /** A canvas sized for `w` × `h` CSS pixels at the screen's pixel ratio, with its 2D context scaled to match. */
  function canvas(w: number, h: number, cls: string): { canvas: HTMLCanvasElement; ctx: CanvasRenderingContext2D } {
    const c = el('canvas', { class: cls });
    const ratio = window.devicePixelRatio || 1;
    c.width = Math.round(w * ratio);
    c.height = Math.round(h * ratio);
    c.style.width = `${w}px`;
    c.style.height = `${h}px`;
    const ctx = c.getContext('2d') as CanvasRenderingContext2D;
    ctx.scale(ratio, ratio);
    return { canvas: c, ctx };
  }

  /** `rgba()` of a `#rrggbb` colour. */
  function alpha(hex: string, a: number): string {
    const n = parseInt(hex.slice(1), 16);
    return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${a})`;
  }

  /** The colour of a fault band of `kind`. */
  function faultColour(colours: Record<string, string>, kind: string): string {
    return colours[kind] ?? colours.other ?? '#8a8fa0';
  }

  return { el, svg, secs, duration, niceStep, lowerBound, quantile, showTip, hideTip, canvas, alpha, faultColour };
}

export type Util = ReturnType<typeof makeUtil>;
