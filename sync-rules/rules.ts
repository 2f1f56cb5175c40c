import { COUNT_MOVEMENT_PREFIX } from '#domain/counts.ts';
import { SERVER_LEDGER_PREFIXES } from '#domain/customers.ts';
import { SERVER_MOVEMENT_PREFIXES } from '#domain/inventory.ts';
import { PO_MOVEMENT_PREFIX } from '#domain/purchase-orders.ts';
import { SHOPIFY_MOVEMENT_PREFIX } from '#domain/shopify/ids.ts';
import { syncRulesSchema, type SyncRules } from './schema.ts';

/**
 * What each kind of device replicates, and the rule for every document type (DESIGN.md §3).
 * The gateway enforces these; the browser sync engine reads the same object, so the two cannot drift.
 * Whole-database replication everywhere: the per-location topology needs no filters, and the embedded
 * store crashes on filtered `_changes` (DESIGN.md §1).
 */
const raw = {
  version: 1,
  principals: {
    register: [
      { db: 'catalog', direction: 'pull' },
      { db: 'location', direction: 'both', scope: 'own' },
      { db: 'customers', direction: 'both' }
    ],
    rfid_phone: [
      { db: 'catalog', direction: 'pull' },
      { db: 'location', direction: 'both', scope: 'own' }
    ],
    admin_browser: [
      { db: 'catalog', direction: 'both' },
      { db: 'location', direction: 'both', scope: 'granted' },
      // the same permissions /api/v1 asks for these data (customers, audit log)
      { db: 'customers', direction: 'both', readPermission: 'customer:manage' },
      { db: 'audit', direction: 'pull', readPermission: 'settings:manage' }
    ]
  },
  documents: {
    category: { db: 'catalog', lifecycle: 'mutable', write: 'catalog:edit', conflict: { rule: 'field-lww' } },
    product: { db: 'catalog', lifecycle: 'mutable', write: 'catalog:edit', conflict: { rule: 'field-lww' } },
    // price rules replicate to every device with the catalog, so registers apply them offline
    price_rule: { db: 'catalog', lifecycle: 'mutable', write: 'catalog:edit', conflict: { rule: 'field-lww' } },
    tax_rate: { db: 'catalog', lifecycle: 'mutable', write: 'settings:manage', conflict: { rule: 'field-lww' } },
    // jurisdiction tax tables (domain/tax): replicate with the catalog so registers tax offline
    tax_table: { db: 'catalog', lifecycle: 'mutable', write: 'settings:manage', conflict: { rule: 'field-lww' } },
    location: { db: 'catalog', lifecycle: 'mutable', write: null, conflict: { rule: 'server-only' } },
    register: { db: 'catalog', lifecycle: 'mutable', write: null, conflict: { rule: 'server-only' } },
    staff: { db: 'catalog', lifecycle: 'mutable', write: null, conflict: { rule: 'server-only' } },
    settings: { db: 'catalog', lifecycle: 'mutable', write: 'settings:manage', conflict: { rule: 'field-lww' } },
    // Register documents come from registers: a browser session (no device) may not write them, whatever
    // its role; a staff member signed in on a register writes them as that register (validate-docs.ts).
    sale: { db: 'location', lifecycle: 'event', write: 'sale:create', deviceWriters: ['register'], browser: false, ownIds: true, conflict: { rule: 'immutable' } },
    void: { db: 'location', lifecycle: 'event', write: 'sale:void', deviceWriters: ['register'], browser: false, conflict: { rule: 'immutable' } },
    // tenders of an unfinished sale given back (no sale was made, nothing moves): any cashier
    payment_void: { db: 'location', lifecycle: 'event', write: 'sale:create', deviceWriters: ['register'], browser: false, ownIds: true, conflict: { rule: 'immutable' } },
    shift: { db: 'location', lifecycle: 'event', write: 'sale:create', deviceWriters: ['register'], browser: false, ownIds: true, conflict: { rule: 'immutable' } },
    shift_close: { db: 'location', lifecycle: 'event', write: 'sale:create', deviceWriters: ['register'], browser: false, conflict: { rule: 'immutable' } },
    cash_movement: { db: 'location', lifecycle: 'event', write: 'sale:create', deviceWriters: ['register'], browser: false, ownIds: true, conflict: { rule: 'immutable' } },
    parked_sale: { db: 'location', lifecycle: 'mutable', write: 'sale:create', deviceWriters: ['register'], browser: false, ownIds: true, conflict: { rule: 'field-lww' } },
    layaway: { db: 'location', lifecycle: 'event', write: 'sale:create', deviceWriters: ['register'], browser: false, ownIds: true, conflict: { rule: 'immutable' } },
    layaway_payment: { db: 'location', lifecycle: 'event', write: 'sale:create', deviceWriters: ['register'], browser: false, ownIds: true, conflict: { rule: 'immutable' } },
    layaway_close: { db: 'location', lifecycle: 'event', write: 'sale:create', deviceWriters: ['register'], browser: false, conflict: { rule: 'immutable' } },
    outbox: { db: 'location', lifecycle: 'event', write: 'sale:create', deviceWriters: ['register'], browser: false, ownIds: true, conflict: { rule: 'immutable' } },
    time_entry: { db: 'location', lifecycle: 'event', write: 'sale:create', deviceWriters: ['register'], browser: false, ownIds: true, conflict: { rule: 'immutable' } },
    stock_movement: {
      db: 'location',
      lifecycle: 'event',
      write: 'inventory:adjust',
      deviceWriters: ['rfid_phone'],
      // Transfer, count and purchase-order movements are named after what they settle, so shipping,
      // receiving and approving happen once (domain/inventory.ts, counts.ts, purchase-orders.ts).
      serverIds: [
        { prefixes: [...SERVER_MOVEMENT_PREFIXES], what: 'movements', writer: 'the server (ship or receive the transfer through /api/v1/inventory)' },
        { prefixes: [COUNT_MOVEMENT_PREFIX, PO_MOVEMENT_PREFIX], what: 'movements', writer: 'the server (approve the count or receive the order through /api/v1/inventory)' },
        // online orders, refunds and the import's opening stock: a pre-empted id would be taken as already moved
        { prefixes: [SHOPIFY_MOVEMENT_PREFIX], what: 'movements', writer: 'the Shopify integration (online orders, refunds, the catalog import)' }
      ],
      conflict: { rule: 'immutable' }
    },
    // Transfers are mutable but server-only: each status change goes with a ledger movement the server
    // writes first under an id derived from the transfer (POST /api/v1/inventory/transfers…), so no
    // client may move one to "shipped" or "received" without the stock moving with it.
    transfer: { db: 'location', lifecycle: 'mutable', write: null, conflict: { rule: 'server-only' } },
    // Thresholds are set through PUT /api/v1/inventory/thresholds, which checks the variant and the
    // writer's location; devices read them (low-stock hints) but never write them.
    stock_threshold: { db: 'location', lifecycle: 'mutable', write: null, conflict: { rule: 'server-only' } },
    // Count sessions: an RFID phone (or a user with inventory:count) may create one, already submitted;
    // every later change (approve → correction movement, reject) is the server's (`createdOnce`: the
    // gateway refuses edits, server/gateway/validate-docs.ts), like a transfer's.
    count_session: {
      db: 'location',
      lifecycle: 'mutable',
      write: 'inventory:count',
      deviceWriters: ['rfid_phone'],
      createdOnce: { then: 'review it through /api/v1/inventory/counts' },
      conflict: { rule: 'server-only' }
    },
    // Tags one phone read for a count several phones share; the others merge them (schemas/counts.ts).
    // Each phone writes only its own batches (the gateway checks the id and deviceId name it).
    count_scan: { db: 'location', lifecycle: 'event', write: 'inventory:count', deviceWriters: ['rfid_phone'], conflict: { rule: 'immutable' } },
    // Suppliers and purchase orders are written through /api/v1/inventory only (sending queues an email,
    // receiving writes stock movements first).
    supplier: { db: 'catalog', lifecycle: 'mutable', write: null, conflict: { rule: 'server-only' } },
    purchase_order: { db: 'location', lifecycle: 'mutable', write: null, conflict: { rule: 'server-only' } },
    customer: {
      db: 'customers',
      lifecycle: 'mutable',
      write: 'sale:create',
      deviceWriters: ['register'],
      conflict: { rule: 'field-lww', setMergeFields: ['tags'] }
    },
    // Sales' and voids' entries are derived by the server (server/workers/sale-ledger.ts); devices never
    // write ledger entries, so a register cannot forge or pre-empt one. Staff with sale:refund may still
    // record manual adjustments through the gateway (admin portal).
    ledger_entry: {
      db: 'customers',
      lifecycle: 'event',
      write: 'sale:refund',
      deviceWriters: [],
      // the worker's ids come from the sale or void (`ledger:{saleId}:…`): a pre-empted one would be taken
      // as already written; the customers API's adjustments, gift cards and merges lock on theirs
      serverIds: [
        { prefixes: ['ledger:sale:', 'ledger:void:'], what: 'ledger entries', writer: "the server's sale-ledger worker" },
        { prefixes: [...SERVER_LEDGER_PREFIXES], what: 'ledger entries', writer: 'the server (adjust, issue or merge through /api/v1/customers)' }
      ],
      conflict: { rule: 'immutable' }
    }
  }
};

export const SYNC_RULES: SyncRules = syncRulesSchema.parse(raw);
