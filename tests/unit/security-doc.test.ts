import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { databaseTable, documentTable, renderSecurityDoc, SECURITY_DOC } from '../../scripts/security-doc.ts';

describe('docs/SECURITY.md', () => {
  it('matches the code: run `npm run docs:security` after changing sync-rules, roles or limits', () => {
    const committed = fs.readFileSync(SECURITY_DOC, 'utf8');
    expect(renderSecurityDoc(committed)).toBe(committed);
  });

  it('says what the issue decided: browsers never write sales, cashiers do not read the audit trail', () => {
    expect(documentTable()).toMatch(/\| `sale` \| location \| event \(created once\) \| register \(as itself\) \| owner, admin, manager, cashier, on register \| — \|/);
    expect(databaseTable()).toMatch(/\| browser session, cashier \| read \+ write \| read \+ write \(granted locations\) \| — \| — \|/);
    expect(databaseTable()).toMatch(/\| PIN session on a register \(any role\) \| read \| read \+ write \(own location\) \| read \+ write \| — \|/);
  });
});
