import { z } from 'zod';

/**
 * Human text: names, notes, reasons, addresses, labels. One rule for every schema (and every JSON
 * body the server takes), so a NUL byte, an unpaired surrogate or a stray escape sequence never
 * reaches a database, a receipt printer or a CSV export:
 * - well-formed Unicode (no unpaired UTF-16 surrogates: they do not survive UTF-8 and break JSON
 *   parsers downstream);
 * - no control characters (C0, DEL, C1), except tab and newline in fields that allow several lines;
 * - NFC-normalised, so "é" typed two ways is one string for search, sorting and uniqueness. Writers
 *   normalise before validating (`nfcDeep`; the API does it on every JSON body), so people never see
 *   this one; a client that skips it is refused rather than silently rewritten, because a replicated
 *   document must be stored byte for byte as its revision says.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** C0 controls except tab (09), newline (0A) and carriage return (0D); DEL; C1. */
const CONTROL_ANYWHERE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
/** Single-line human text: no tab, newline or carriage return either. */
const CONTROL_SINGLE_LINE = /[\u0000-\u001F\u007F-\u009F]/;
/** Multi-line human text: tab and newline only (a carriage return is a Windows line ending to normalise). */
const CONTROL_MULTI_LINE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

/** Why `s` is not acceptable human text, or null. `multiline` allows tab and newline. */
export function humanTextProblem(s: string, multiline = false): string | null {
  if (LONE_SURROGATE.test(s)) return 'must be well-formed text (it contains an unpaired surrogate)';
  if ((multiline ? CONTROL_MULTI_LINE : CONTROL_SINGLE_LINE).test(s)) {
    return multiline ? 'must not contain control characters (tab and newline are fine)' : 'must be one line of text without control characters';
  }
  if (s !== s.normalize('NFC')) return 'must be NFC-normalised Unicode';
  return null;
}

/** The shared refinement, for a string schema that keeps its own messages: `.superRefine(textRule())`. */
export function textRule(multiline = false) {
  return (v: string, ctx: z.RefinementCtx) => {
    const why = humanTextProblem(v, multiline);
    if (why) ctx.addIssue({ code: 'custom', message: why });
  };
}

/** A string of human text, `max` characters at most (the shared refinement on a plain string). */
export function humanText(max: number, opts: { min?: number; multiline?: boolean; trim?: boolean } = {}) {
  const base = opts.trim ? z.string().trim() : z.string();
  const checked = base.superRefine(textRule(opts.multiline));
  return (opts.min !== undefined ? checked.min(opts.min) : checked).max(max);
}

/**
 * The floor for *every* string in a JSON body, keys included (ids, codes, free text alike): well-formed,
 * no control characters but tab/newline/carriage return, NFC. Returns `path: reason` for the first
 * offending string, or null. Bodies are depth-limited before this runs (json-limits.ts).
 */
export function textProblem(value: unknown, path = ''): string | null {
  const where = (p: string) => (p ? `${p}: ` : '');
  const check = (s: string, p: string): string | null => {
    if (LONE_SURROGATE.test(s)) return `${where(p)}must be well-formed text (it contains an unpaired surrogate)`;
    if (CONTROL_ANYWHERE.test(s)) return `${where(p)}must not contain control characters`;
    if (s !== s.normalize('NFC')) return `${where(p)}must be NFC-normalised Unicode`;
    return null;
  };
  if (typeof value === 'string') return check(value, path);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const why = textProblem(value[i], path ? `${path}.${i}` : String(i));
      if (why) return why;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = path ? `${path}.${k}` : k;
      const keyWhy = check(k, p);
      if (keyWhy) return keyWhy;
      const why = textProblem(v, p);
      if (why) return why;
    }
  }
  return null;
}

/** A copy of `value` with every string (and key) NFC-normalised: what writers apply before validating. */
export function nfcDeep<T>(value: T): T {
  if (typeof value === 'string') return value.normalize('NFC') as T;
  if (Array.isArray(value)) return value.map((v) => nfcDeep(v)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.normalize('NFC'), nfcDeep(v)])) as T;
  }
  return value;
}
