/**
 * Limits on JSON the server accepts, checked on the raw text before anything parses or walks it.
 *
 * Depth: express-pouchdb (and any recursive code after it) overflows its stack on a body nested
 * 10,000 levels deep, well under the size cap, and the crash takes the store down for every tenant.
 * The deepest legitimate body is a `_bulk_docs` batch of register documents (batch → docs → doc →
 * lines → line → returnOf, or a Z report inside a shift close): about 10 levels. 32 leaves room.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * True when `text` nests objects/arrays deeper than `max`. A linear scan that skips string contents
 * (with their escapes), so it never recurses and costs one pass over the bytes.
 */
export function jsonDepthExceeds(text: string, max: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > max) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return false;
}

/** Thrown (and mapped to 400) when a body nests deeper than MAX_JSON_DEPTH. */
export class JsonTooDeepError extends Error {
  readonly type = 'entity.too.deep';
  readonly status = 400;
  constructor() {
    super(`JSON nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
}
