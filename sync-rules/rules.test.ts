import { describe, expect, it } from 'vitest';
import { DOC_TYPES } from '#domain/schemas/index.ts';
import { SYNC_RULES } from './rules.ts';
import { DEVICE_KINDS, syncRulesSchema } from './schema.ts';

const docs = Object.entries(SYNC_RULES.documents);

describe('sync rules', () => {
  it('give every document type a rule, and nothing else', () => {
    expect(Object.keys(SYNC_RULES.documents).sort()).toEqual([...DOC_TYPES].sort());
  });

  it('events are created once and never edited: immutable on conflict', () => {
    for (const [type, r] of docs) if (r.lifecycle === 'event') expect(r.conflict.rule, type).toBe('immutable');
  });

  it('a device writes a document only into a database it replicates both ways', () => {
    for (const [type, r] of docs) {
      for (const kind of r.deviceWriters) {
        const db = SYNC_RULES.principals[kind]?.find((d) => d.db === r.db);
        expect(db?.direction, `${kind} writes ${type} into ${r.db}`).toBe('both');
      }
    }
  });

  it('server-only documents have no client writer at all: no permission and no device', () => {
    for (const [type, r] of docs) {
      // the exception is a type a client creates once, every later change being the server's (count sessions)
      if (r.conflict.rule !== 'server-only' || r.createdOnce) continue;
      expect(r.write, type).toBeNull();
      expect(r.deviceWriters, type).toEqual([]);
    }
  });

  it('only a mutable type may be created once by flag (events are by their lifecycle), and only with a client writer', () => {
    const flagged = docs.filter(([, r]) => r.createdOnce).map(([type]) => type);
    expect(flagged).toEqual(['count_session']);
    for (const [type, r] of docs.filter(([, r]) => r.createdOnce)) {
      expect(r.lifecycle, type).toBe('mutable');
      expect(r.write, type).not.toBeNull();
    }
  });

  it("register documents are written by registers only: a browser session may not, whatever its role", () => {
    for (const type of ['sale', 'void', 'payment_void', 'shift', 'shift_close', 'cash_movement', 'layaway', 'layaway_payment', 'layaway_close', 'time_entry']) {
      const r = SYNC_RULES.documents[type]!;
      expect(r.deviceWriters, type).toEqual(['register']);
      expect(r.browser, type).toBe(false);
    }
    // money a register could forge: customer ledger entries come from the server's worker or staff adjustments
    expect(SYNC_RULES.documents.ledger_entry!.deviceWriters).toEqual([]);
  });

  it('every device kind reads the catalog and only its own location', () => {
    for (const kind of DEVICE_KINDS) {
      const rules = SYNC_RULES.principals[kind]!;
      expect(rules.find((d) => d.db === 'catalog')?.direction, kind).toBe('pull');
      expect(rules.find((d) => d.db === 'location')?.scope, kind).toBe('own');
      expect(rules.some((d) => d.db === 'audit'), kind).toBe(false);
    }
  });

  it('the schema refuses a rule set that breaks these: an editable event, a missing type, an unknown key', () => {
    const raw = JSON.parse(JSON.stringify(SYNC_RULES)) as { documents: Record<string, Record<string, unknown>>; [k: string]: unknown };
    const editableEvent = structuredClone(raw);
    editableEvent.documents.sale!.conflict = { rule: 'field-lww', setMergeFields: [] };
    expect(syncRulesSchema.safeParse(editableEvent).error?.issues.map((i) => i.message)).toContain('event documents are immutable');
    const missing = structuredClone(raw);
    delete missing.documents.void;
    expect(syncRulesSchema.safeParse(missing).error?.issues.map((i) => i.path.join('.'))).toContain('documents.void');
    expect(syncRulesSchema.safeParse({ ...raw, extra: true }).success).toBe(false);
    expect(syncRulesSchema.safeParse(raw).success).toBe(true);
  });

  it('server-derived ids are reserved where clients could otherwise pre-empt them: ledger entries and stock movements', () => {
    const reserved = (type: string) => SYNC_RULES.documents[type]!.serverIds.flatMap((r) => r.prefixes);
    expect(reserved('ledger_entry')).toEqual(expect.arrayContaining(['ledger:sale:', 'ledger:void:', 'ledger:adm:', 'ledger:gc:', 'ledger:merge:']));
    expect(reserved('stock_movement')).toEqual(expect.arrayContaining(['movement:transfer_out:', 'movement:transfer_in:', 'movement:count:', 'movement:po:']));
    // every register document a till names after itself is checked as such
    for (const [type, r] of docs) if (r.ownIds) expect(r.deviceWriters, type).toEqual(['register']);
  });
});
