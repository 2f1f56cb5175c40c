/**
 * The product editor's variant matrix: every combination of the option values (size × colour × fit,
 * any number of options) is one variant. Pure; the editor calls it on every option change, the server
 * does not (it validates what the editor sends).
 *
 * Regenerating must not lose what a variant already is: its id (the stock ledger is keyed by it), SKU,
 * barcode, price and cost. A combination that still exists keeps its variant; adding an option maps
 * each old variant onto the first combination that agrees with it on the options they share (Size M
 * Red → Size M Red Regular), and removing one maps several old variants onto one combination, the
 * first of them winning. Only combinations nobody claims get a new variant.
 */
export interface OptionDef {
  name: string;
  values: string[];
}

export interface MatrixVariant {
  id: string;
  sku: string;
  barcode?: string;
  options: Record<string, string>;
  price: number;
  cost?: number;
  active: boolean;
}

export interface MatrixDefaults {
  /** prefix of new SKUs, e.g. "TEE" → "TEE-M-RED" */
  skuBase: string;
  price: number;
  cost?: number;
}

/** Options without blank names/values or repeats (first spelling wins), in the editor's order. */
export function cleanOptions(options: readonly OptionDef[]): OptionDef[] {
  const out: OptionDef[] = [];
  const names = new Set<string>();
  for (const o of options) {
    const name = o.name.trim();
    if (!name || names.has(name.toLowerCase())) continue;
    const seen = new Set<string>();
    const values: string[] = [];
    for (const raw of o.values) {
      const v = raw.trim();
      if (v && !seen.has(v.toLowerCase())) {
        seen.add(v.toLowerCase());
        values.push(v);
      }
    }
    if (values.length === 0) continue;
    names.add(name.toLowerCase());
    out.push({ name, values });
  }
  return out;
}

/** Cartesian product, first option varying slowest; no options → one combination with none. */
export function combinations(options: readonly OptionDef[]): Record<string, string>[] {
  let out: Record<string, string>[] = [{}];
  for (const o of options) out = out.flatMap((combo) => o.values.map((v) => ({ ...combo, [o.name]: v })));
  return out;
}

/** How many variants the options make, without building them (the editor warns before a huge grid). */
export function combinationCount(options: readonly OptionDef[]): number {
  return options.reduce((n, o) => n * o.values.length, 1);
}

const comboKey = (o: Record<string, string>) =>
  Object.keys(o)
    .sort()
    .map((k) => `${k}\u0000${o[k]}`)
    .join('\u0001');

/** Shared keys that agree, or -1 when a shared key disagrees. */
function agreement(a: Record<string, string>, b: Record<string, string>): number {
  let n = 0;
  for (const k of Object.keys(a)) {
    if (!(k in b)) continue;
    if (a[k] !== b[k]) return -1;
    n++;
  }
  return n;
}

export function skuPart(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '')
    .slice(0, 12);
}

/**
 * The variants for `options`, reusing `existing` ones as described above. `productSuffix` is the
 * product id without "product:" (variant ids must start with it); `reservedIds` are ids that must not
 * be handed out again (variants removed earlier still have stock history under their id).
 */
export function buildVariants(
  productSuffix: string,
  optionsIn: readonly OptionDef[],
  existing: readonly MatrixVariant[],
  defaults: MatrixDefaults,
  reservedIds: Iterable<string> = []
): MatrixVariant[] {
  const options = cleanOptions(optionsIn);
  const combos = combinations(options);
  const claimed = new Array<MatrixVariant | undefined>(combos.length);
  const used = new Set<MatrixVariant>();

  // 1. exact matches
  const byKey = new Map<string, MatrixVariant>();
  for (const v of existing) if (!byKey.has(comboKey(v.options))) byKey.set(comboKey(v.options), v);
  combos.forEach((c, i) => {
    const v = byKey.get(comboKey(c));
    if (v && !used.has(v)) {
      claimed[i] = v;
      used.add(v);
    }
  });
  // 2. an option added or removed: the best-agreeing unclaimed variant, in the existing order
  combos.forEach((c, i) => {
    if (claimed[i]) return;
    let best: MatrixVariant | undefined;
    let bestScore = -1;
    for (const v of existing) {
      if (used.has(v)) continue;
      const keysA = Object.keys(v.options);
      // a variant whose option set equals the new one's differs in a value: that is a different item
      if (keysA.length === Object.keys(c).length && keysA.every((k) => k in c)) continue;
      const score = agreement(v.options, c);
      if (score > bestScore) {
        best = v;
        bestScore = score;
      }
    }
    if (best) {
      claimed[i] = best;
      used.add(best);
    }
  });

  const takenIds = new Set<string>([...reservedIds, ...existing.map((v) => v.id)]);
  const takenSkus = new Set<string>(existing.map((v) => v.sku.toLowerCase()));
  let n = 1;
  const nextId = () => {
    let id: string;
    do id = `${productSuffix}-v${String(n++).padStart(2, '0')}`;
    while (takenIds.has(id));
    takenIds.add(id);
    return id;
  };
  const nextSku = (c: Record<string, string>) => {
    const parts = [skuPart(defaults.skuBase) || 'SKU', ...Object.values(c).map(skuPart).filter(Boolean)];
    const base = parts.join('-').slice(0, 60);
    let sku = base;
    for (let k = 2; takenSkus.has(sku.toLowerCase()); k++) sku = `${base}-${k}`;
    takenSkus.add(sku.toLowerCase());
    return sku;
  };

  return combos.map((c, i) => {
    const old = claimed[i];
    if (old) return { ...old, options: c };
    return {
      id: nextId(),
      sku: nextSku(c),
      options: c,
      price: defaults.price,
      ...(defaults.cost !== undefined ? { cost: defaults.cost } : {}),
      active: true
    };
  });
}

/** The variants `next` no longer has (the editor shows them before saving: their stock stays on record). */
export function removedVariants(prev: readonly MatrixVariant[], next: readonly MatrixVariant[]): MatrixVariant[] {
  const ids = new Set(next.map((v) => v.id));
  return prev.filter((v) => !ids.has(v.id));
}

export function describeOptions(o: Record<string, string>): string {
  const vals = Object.values(o);
  return vals.length ? vals.join(' / ') : 'Default';
}
