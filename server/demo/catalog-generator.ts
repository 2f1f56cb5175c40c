import type { z } from 'zod';
import { ean13 } from '#domain/gtin.ts';
import { categorySchema, customerSchema, productSchema, stockMovementSchema } from '#domain/schemas/index.ts';
import { prng } from '#domain/prng.ts';

export type CategoryDoc = z.infer<typeof categorySchema>;
export type ProductDoc = z.infer<typeof productSchema>;
export type CustomerDoc = z.infer<typeof customerSchema>;
export type StockMovementDoc = z.infer<typeof stockMovementSchema>;

export interface DemoCatalog {
  categories: CategoryDoc[];
  products: ProductDoc[];
  customers: CustomerDoc[];
  openingMovements: Record<string, StockMovementDoc[]>;
}


interface CategorySpec {
  slug: string;
  name: string;
  items: string[];
  sizes: string[];
  taxCategory: 'clothing' | 'accessories';
  prices: number[];
}

const APPAREL_SIZES = ['XS', 'S', 'M', 'L', 'XL', 'XXL'];
const CATEGORIES: CategorySpec[] = [
  { slug: 't-shirts', name: 'T-shirts', items: ['Tee', 'Crew Tee', 'V-neck Tee', 'Pocket Tee', 'Henley'], sizes: APPAREL_SIZES, taxCategory: 'clothing', prices: [1499, 1999, 2499, 2999] },
  { slug: 'shirts', name: 'Shirts', items: ['Shirt', 'Oxford Shirt', 'Overshirt', 'Camp Shirt'], sizes: APPAREL_SIZES, taxCategory: 'clothing', prices: [3999, 4999, 5999] },
  { slug: 'jeans', name: 'Jeans', items: ['Jeans', 'Slim Jeans', 'Straight Jeans', 'Wide Jeans'], sizes: ['28', '30', '32', '34', '36', '38'], taxCategory: 'clothing', prices: [5999, 6999, 8999] },
  { slug: 'hoodies', name: 'Hoodies', items: ['Hoodie', 'Zip Hoodie', 'Sweatshirt'], sizes: APPAREL_SIZES, taxCategory: 'clothing', prices: [4499, 5499, 6499] },
  { slug: 'jackets', name: 'Jackets', items: ['Jacket', 'Bomber', 'Parka', 'Field Jacket', 'Trucker Jacket'], sizes: APPAREL_SIZES, taxCategory: 'clothing', prices: [8999, 11999, 14999, 19999] },
  { slug: 'dresses', name: 'Dresses', items: ['Dress', 'Midi Dress', 'Wrap Dress', 'Shirt Dress'], sizes: ['XS', 'S', 'M', 'L', 'XL'], taxCategory: 'clothing', prices: [4999, 6999, 8999] },
  { slug: 'knitwear', name: 'Knitwear', items: ['Sweater', 'Cardigan', 'Turtleneck', 'Vest'], sizes: APPAREL_SIZES, taxCategory: 'clothing', prices: [5999, 7999, 9999] },
  { slug: 'shoes', name: 'Shoes', items: ['Sneaker', 'Boot', 'Loafer', 'Runner'], sizes: ['6', '7', '8', '9', '10', '11', '12'], taxCategory: 'clothing', prices: [7999, 9999, 12999] },
  { slug: 'socks', name: 'Socks', items: ['Socks', 'Ankle Socks', 'Crew Socks'], sizes: ['S/M', 'L/XL'], taxCategory: 'clothing', prices: [799, 999, 1299] },
  { slug: 'hats', name: 'Hats', items: ['Cap', 'Beanie', 'Bucket Hat'], sizes: ['One size'], taxCategory: 'accessories', prices: [1999, 2499, 2999] },
  { slug: 'accessories', name: 'Accessories', items: ['Belt', 'Scarf', 'Tote Bag', 'Wallet', 'Gloves'], sizes: ['One size'], taxCategory: 'accessories', prices: [1999, 2999, 3999, 4999] }
];
const ADJECTIVES = ['Relaxed', 'Classic', 'Essential', 'Heritage', 'Everyday', 'Vintage', 'Organic', 'Tailored', 'Lightweight', 'Heavyweight', 'Washed', 'Brushed', 'Ribbed', 'Utility', 'Cropped', 'Oversized'];
const MATERIALS = ['Cotton', 'Linen', 'Wool', 'Denim', 'Jersey', 'Fleece', 'Corduroy', 'Twill', 'Cashmere-blend', 'Canvas', 'Leather', 'Merino'];
const COLOURS: [string, string][] = [
  ['Black', 'BLK'], ['White', 'WHT'], ['Navy', 'NVY'], ['Grey', 'GRY'], ['Olive', 'OLV'], ['Sand', 'SND'],
  ['Rust', 'RST'], ['Indigo', 'IND'], ['Burgundy', 'BRG'], ['Sky', 'SKY'], ['Forest', 'FOR'], ['Cream', 'CRM']
];
const FIRST = ['Ava', 'Ben', 'Chloe', 'Diego', 'Emma', 'Farah', 'Grace', 'Hiro', 'Isla', 'Jamal', 'Kira', 'Liam', 'Maya', 'Noah', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sami', 'Theo', 'Uma', 'Vera', 'Wes', 'Yara', 'Zane'];
const LAST = ['Anders', 'Brooks', 'Chen', 'Diaz', 'Evans', 'Fischer', 'Garcia', 'Hughes', 'Ito', 'Jones', 'Kim', 'Lopez', 'Moreau', 'Nguyen', 'Okafor', 'Patel', 'Reyes', 'Silva', 'Tanaka', 'Walsh'];

export const DEMO_PRODUCT_COUNT = 520;
const DEMO_CUSTOMER_COUNT = 50;

/** Pure and deterministic: the demo tenant's catalog, customers and opening stock as documents. */
export function generateDemoCatalog(opts: { seed: number; locationCodes: string[]; now: string; actor: string }): DemoCatalog {
  const rand = prng(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const between = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  // Fisher–Yates: unbiased, and independent of the engine's sort algorithm.
  const shuffled = <T>(xs: readonly T[]): T[] => {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  };
  const stamp = { updatedAt: opts.now, updatedBy: opts.actor };
  // two barcode digits from the seed (normalised like the PRNG's, so negative seeds work too)
  const seedTag = (opts.seed >>> 0) % 100;

  const categories = CATEGORIES.map((c, i) => categorySchema.parse({ _id: `category:${c.slug}`, type: 'category', name: c.name, sort: i, ...stamp }));

  let barcodeSeq = 0;
  const products: ProductDoc[] = [];
  for (let n = 1; n <= DEMO_PRODUCT_COUNT; n++) {
    const cat = CATEGORIES[(n - 1) % CATEGORIES.length]!;
    const num = String(n).padStart(6, '0');
    // contiguous run of sizes (2–6, or the one size) and 2–5 distinct colours
    const sizeCount = cat.sizes.length === 1 ? 1 : between(2, Math.min(6, cat.sizes.length));
    const start = between(0, cat.sizes.length - sizeCount);
    const sizes = cat.sizes.slice(start, start + sizeCount);
    const colours = shuffled(COLOURS).slice(0, between(2, 5));
    const price = pick(cat.prices);
    const costRatio = 0.35 + rand() * 0.2;
    let v = 0;
    const variants = sizes.flatMap((size) =>
      colours.map(([colour, code]) => {
        v++;
        barcodeSeq++;
        return {
          // Unique across the catalog, not just the product: stock movement lines and the
          // stock/on_hand key ([locationCode, variantId]) name a variant without its product.
          id: `nx-${num}-v${String(v).padStart(2, '0')}`,
          sku: `NX-${num}-${size.replace(/[^A-Za-z0-9]/g, '')}-${code}`,
          // GS1 restricted-circulation range (prefix 2): internal numbers that never clash with a brand's GTIN.
          barcode: ean13(`2${String(seedTag).padStart(2, '0')}${String(barcodeSeq).padStart(9, '0')}`),
          options: { Size: size, Colour: colour },
          price,
          cost: Math.round(price * costRatio),
          active: true
        };
      })
    );
    products.push(
      productSchema.parse({
        _id: `product:nx-${num}`,
        type: 'product',
        name: `${pick(ADJECTIVES)} ${pick(MATERIALS)} ${pick(cat.items)}`,
        categoryId: `category:${cat.slug}`,
        taxCategory: cat.taxCategory,
        options: [
          { name: 'Size', values: sizes },
          { name: 'Colour', values: colours.map(([c]) => c) }
        ],
        variants,
        status: 'active',
        ...stamp
      })
    );
  }

  const customers: CustomerDoc[] = [];
  for (let i = 0; i < DEMO_CUSTOMER_COUNT; i++) {
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[(i * 7) % LAST.length]!;
    customers.push(
      customerSchema.parse({
        _id: `customer:nx-${String(i + 1).padStart(4, '0')}`,
        type: 'customer',
        firstName: first,
        lastName: last,
        email: `${first}.${last}${i >= FIRST.length ? i : ''}@example.com`.toLowerCase(),
        ...(rand() < 0.6 ? { phone: `+1 555 ${String(between(100, 999))} ${String(between(1000, 9999))}` } : {}),
        tags: rand() < 0.15 ? ['vip'] : [],
        ...stamp
      })
    );
  }

  const openingMovements: Record<string, StockMovementDoc[]> = {};
  for (const loc of opts.locationCodes) {
    openingMovements[loc] = products.flatMap((p) => {
      const lines = p.variants.map((vr) => ({ variantId: vr.id, qty: between(0, 30) })).filter((l) => l.qty > 0);
      if (lines.length === 0) return [];
      return [
        stockMovementSchema.parse({
          _id: `movement:opening-${loc.toLowerCase()}-${p._id.slice('product:'.length)}`,
          type: 'stock_movement',
          locationCode: loc,
          reason: 'opening',
          lines,
          createdAt: opts.now,
          createdBy: opts.actor
        })
      ];
    });
  }
  return { categories, products, customers, openingMovements };
}
