import { expect, test, type APIRequestContext, type Page, machine } from './support/test.ts';
import {
  demoItems,
  enrolRegister,
  expectOnServer,
  expectUnsynced,
  finishSale,
  openShift,
  ownerLogin,
  payExactCash,
  PINS,
  registerKey,
  scan,
  serverDocs,
  serverStock,
  signIn,
  type DemoItem,
  type Owner
} from './support/register.ts';

/**
 * The rest of a register's day, each journey on a freshly enrolled register of the demo store: a
 * shift from float to Z report (payout with a manager PIN, a count that is off, a close refused while
 * offline and overridden), layaways (deposit, payment, pickup, cancellation with its fee), discounts
 * and price overrides over the cashier's limit, a cashier switch that keeps each cart, and a customer
 * created offline.
 */
test.setTimeout(machine(120_000));

let owner: Owner;
let items: DemoItem[];

test.beforeAll(async ({ request }) => {
  owner = await ownerLogin(request);
  items = await demoItems(request, owner, 12);
});

async function ready(page: Page, request: APIRequestContext, name: string, pin: string = PINS.cashier, float = '150.00'): Promise<string> {
  await enrolRegister(page, request, owner, name);
  await signIn(page, pin);
  await openShift(page, float);
  return registerKey(page);
}

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
/** How the register shows an amount in minor units: 1234 → "$12.34". */
const money = (minor: number) => usd.format(minor / 100);
/** "$1,234.56" → 123456 */
const minor = (text: string) => Math.round(Number(text.replace(/[^0-9.-]/g, '')) * 100);

async function cartTotal(page: Page): Promise<number> {
  return minor((await page.getByLabel('Cart total').textContent()) ?? '');
}

interface PrintedJob {
  lines: string[];
  qrcodes: string[];
  drawerKicks: number;
}

async function printed(page: Page): Promise<PrintedJob[]> {
  return page.evaluate(() => {
    const sim = (window as unknown as { __simulatedPrinter?: { jobs: PrintedJob[] } }).__simulatedPrinter;
    return (sim?.jobs ?? []).map((j) => ({ lines: j.lines, qrcodes: j.qrcodes, drawerKicks: j.drawerKicks }));
  });
}

/** Available units (on hand − layaway reservations) at this store, as the register sums them. */
async function available(page: Page, variantIds: string[]): Promise<number[]> {
  return page.evaluate(async (ids) => {
    const reg = (window as unknown as { __register: { stock: (v: string[]) => Promise<Map<string, { available: number }>> } }).__register;
    const s = await reg.stock(ids);
    return ids.map((v) => s.get(v)!.available);
  }, variantIds);
}

/** Notes and coins (USD) adding up to `amount`, largest first. */
function countOut(amount: number): Map<number, number> {
  const out = new Map<number, number>();
  let left = amount;
  for (const d of [10000, 5000, 2000, 1000, 500, 100, 25, 10, 5, 1]) {
    const n = Math.floor(left / d);
    if (n > 0) out.set(d, n);
    left -= n * d;
  }
  return out;
}

/**
 * Waits until the register has finished a full round with the server (pulled and pushed, nothing
 * pending) so that what goes unsynced after this is only what the test does next.
 */
async function settled(page: Page): Promise<void> {
  await expect(page.getByRole('status', { name: 'Sync badge' })).toContainText(/Online\W+all sent\W+synced \d/, { timeout: machine(60_000) });
}

async function approve(page: Page, title: string, pin: string = PINS.manager): Promise<void> {
  const dialog = page.getByRole('dialog', { name: title });
  await dialog.getByLabel('Manager PIN').fill(pin);
  await dialog.getByRole('button', { name: 'Approve' }).click();
  await expect(dialog).toBeHidden();
}

async function newCustomer(page: Page, first: string, last: string): Promise<void> {
  await page.getByRole('button', { name: 'Customer', exact: true }).click();
  const picker = page.getByRole('dialog', { name: 'Customer' });
  await picker.getByRole('button', { name: 'New customer' }).click();
  const form = picker.getByRole('form', { name: 'New customer' });
  await form.getByLabel('First name').fill(first);
  await form.getByLabel('Last name').fill(last);
  await form.getByRole('button', { name: 'Create and attach' }).click();
  await expect(picker).toBeHidden();
  await expect(page.getByLabel('Customer', { exact: true })).toContainText(`${first} ${last}`);
}

test('a shift: X report, a payout approved by a manager, a short count, a close overridden offline, the Z report printed and on the server', async ({ page, context, request }) => {
  const key = await ready(page, request, 'E2E shift till');
  await expectOnServer(request, owner, `shift:${key}:`, 1);

  // two cash sales and one on the card terminal
  const cash: number[] = [];
  for (const item of [items[0]!, items[1]!]) {
    await scan(page, item.barcode);
    await expect(page.getByRole('list', { name: 'Cart lines' }).getByRole('listitem')).toHaveCount(1);
    cash.push(await cartTotal(page));
    await payExactCash(page);
  }
  await scan(page, items[2]!.barcode);
  await expect(page.getByRole('list', { name: 'Cart lines' }).getByRole('listitem')).toHaveCount(1);
  const card = await cartTotal(page);
  await page.getByRole('button', { name: /^Pay / }).click();
  await page.getByRole('dialog', { name: 'Payment' }).getByRole('button', { name: /^Card on terminal/ }).click();
  await finishSale(page);
  const net = cash[0]! + cash[1]! + card;
  let expected = 15_000 + cash[0]! + cash[1]!;

  // X report
  await page.getByRole('button', { name: 'Shift', exact: true }).click();
  const shift = page.getByRole('dialog', { name: 'Shift' });
  const x = shift.getByRole('table', { name: 'X report', exact: true });
  await expect(x.getByRole('row', { name: /^Transactions/ })).toContainText('3');
  await expect(x.getByRole('row', { name: /^Opening float/ })).toContainText(money(15_000));
  await expect(x.getByRole('row', { name: /^Expected cash/ })).toContainText(money(expected));
  await expect(x.getByRole('row', { name: /^Card \(terminal\)/ })).toContainText(money(card));

  // from here on the register cannot reach the server: its changes stay unsynced
  await settled(page);
  await context.setOffline(true);
  await expect(page.getByRole('status', { name: 'Sync badge' })).toContainText('Offline', { timeout: machine(30_000) });

  // a payout by the cashier needs a manager
  await shift.getByRole('button', { name: 'Cash out' }).click();
  await shift.getByLabel('Amount').fill('20.00');
  await shift.getByLabel('Reason').fill('Window cleaner');
  await shift.getByRole('button', { name: 'Record payout' }).click();
  await approve(page, 'Manager approval');
  await expect(shift.getByRole('status').filter({ hasText: 'Payout of $20.00 recorded.' })).toBeVisible();
  expected -= 2_000;
  await expect(x.getByRole('row', { name: /^Expected cash/ })).toContainText(money(expected));
  await expect(x.getByRole('row', { name: /^Cash out \(payouts\)/ })).toContainText(money(-2_000));
  await expectUnsynced(page, 1);

  // count the drawer $5.00 short
  await shift.getByRole('button', { name: 'Close shift' }).click();
  const table = shift.getByRole('table', { name: 'Denominations' });
  await expect(shift.getByLabel('Expected cash')).toHaveText(money(expected));
  const counted = expected - 500;
  for (const [d, n] of countOut(counted)) await table.getByLabel(money(d), { exact: true }).fill(String(n));
  await expect(shift.getByLabel('Counted cash')).toHaveText(money(counted));
  await expect(shift.getByLabel('Over / short')).toHaveText('Short $5.00');

  // closing is refused while changes are not on the server; a manager overrides
  const refusal = shift.getByRole('alert').filter({ hasText: 'Closing is refused' });
  await expect(refusal).toContainText('1 change on this register is not on the server yet');
  await expect(shift.getByRole('button', { name: 'Confirm close' })).toBeDisabled();
  await refusal.getByRole('button', { name: 'Manager override' }).click();
  await approve(page, 'Manager override');
  await expect(shift.getByRole('status').filter({ hasText: 'Manager override by Maria Manager' })).toBeVisible();
  await shift.getByRole('button', { name: 'Confirm close' }).click();

  // the Z report on screen and on paper
  await expect(shift.getByRole('heading', { name: 'Z report' })).toBeVisible();
  const z = shift.getByRole('table', { name: 'Z report', exact: true });
  // what the three carts came to is the total collected; net sales leave the tax out
  await expect(z.getByRole('row', { name: /^Total collected/ })).toContainText(money(net));
  const zTax = minor((await z.getByRole('row', { name: /^Tax/ }).getByRole('cell').textContent()) ?? '');
  expect(zTax).toBeGreaterThan(0);
  await expect(z.getByRole('row', { name: /^Net sales/ })).toContainText(money(net - zTax));
  await expect(z.getByRole('row', { name: /^Transactions/ })).toContainText('3');
  await expect(z.getByRole('row', { name: /^Expected cash/ })).toContainText(money(expected));
  await expect(shift.getByLabel('Counted cash')).toHaveText(money(counted));
  await expect(shift.getByLabel('Expected cash')).toHaveText(money(expected));
  await expect(shift.getByLabel('Over / short')).toHaveText('Short $5.00');
  await expect
    .poll(async () => (await printed(page)).find((j) => j.lines.some((l) => l.trim() === 'Z REPORT'))?.lines ?? [])
    .toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^\\s*Total collected\\s+\\${money(net)}\\s*$`)),
        expect.stringMatching(new RegExp(`^\\s*Net sales\\s+\\${money(net - zTax)}\\s*$`)),
        expect.stringMatching(/^\s*Over\/short\s+Short \$5\.00\s*$/)
      ])
    );
  const zPrint = (await printed(page)).find((j) => j.lines.some((l) => l.trim() === 'Z REPORT'))!;
  expect(zPrint.lines.map((l) => l.trim())).toContain('Approved close unsynced: Maria Manager');

  // the shift is over: back to the lock screen
  await shift.getByRole('button', { name: 'Done' }).click();
  await expect(shift).toBeHidden();
  await expect(page.getByLabel('Your PIN')).toBeVisible();

  // online again: the close reaches the server with its figures and the override
  await context.setOffline(false);
  await expectOnServer(request, owner, `shift_close:${key}:`, 1);
  const [close] = await serverDocs<{ expectedCash: number; countedCash: number; overShort: number; unsyncedAtClose: number; approvals: { action: string; staffName: string }[] }>(
    request,
    owner,
    `shift_close:${key}:`
  );
  expect(close).toMatchObject({ expectedCash: expected, countedCash: counted, overShort: -500 });
  expect(close!.unsyncedAtClose).toBeGreaterThan(0);
  expect(close!.approvals).toEqual([expect.objectContaining({ action: 'close_unsynced', staffName: 'Maria Manager' })]);
  const [payout] = await serverDocs<{ kind: string; amount: number; approvals: { action: string; staffName: string }[] }>(request, owner, `cash:${key}:`);
  expect(payout).toMatchObject({ kind: 'out', amount: 2_000, approvals: [expect.objectContaining({ action: 'payout', staffName: 'Maria Manager' })] });
});

test('layaways: a deposit reserves the stock, a payment, the pickup as a sale paid by the layaway; a cancellation keeps the fee', async ({ page, request }) => {
  const key = await ready(page, request, 'E2E layaway till');
  const [a, b, c] = [items[3]!, items[4]!, items[5]!];
  // the location replica is still arriving after sign-in: wait until the register agrees with the server
  const onServer = await serverStock(request, owner, [a.variantId, b.variantId, c.variantId]);
  await expect.poll(() => available(page, [a.variantId, b.variantId, c.variantId]), { timeout: machine(30_000) }).toEqual([...onServer.values()]);
  const before = await available(page, [a.variantId, b.variantId]);

  await scan(page, a.barcode);
  await scan(page, b.barcode);
  await expect(page.getByRole('list', { name: 'Cart lines' }).getByRole('listitem')).toHaveCount(2);
  await newCustomer(page, 'Lena', 'Layaway');
  const total = await cartTotal(page);

  await page.getByRole('button', { name: 'Layaway', exact: true }).click();
  const lay = page.getByRole('dialog', { name: 'Layaways' });
  await expect(lay.getByLabel('Layaway total')).toHaveText(money(total));
  const minDeposit = minor((await lay.getByLabel('Minimum deposit').textContent()) ?? '');
  expect(minDeposit).toBe(Math.ceil(total / 5)); // 20 %
  await expect(lay.getByLabel('Deposit amount')).toHaveValue((minDeposit / 100).toFixed(2));
  await lay.getByRole('button', { name: 'Take deposit' }).click();
  const deposit = page.getByRole('dialog', { name: 'Layaway deposit' });
  await deposit.getByRole('group', { name: 'Quick cash amounts' }).getByRole('button').first().click();
  await expect(deposit).toBeHidden();
  await expect(lay.getByRole('status').filter({ hasText: 'Layaway opened for Lena Layaway' })).toContainText(`deposit ${money(minDeposit)} taken, balance ${money(total - minDeposit)}`);
  await expect(page.getByText('Scan an item or pick one from the grid.')).toBeVisible(); // the cart went on layaway

  // the items are reserved: the register's available stock drops by one each
  await expect.poll(() => available(page, [a.variantId, b.variantId])).toEqual([before[0]! - 1, before[1]! - 1]);

  // a further payment of 5.00 on the card terminal
  const mine = lay.getByRole('listitem', { name: 'Layaway of Lena Layaway' });
  await mine.getByRole('button', { name: 'Take payment' }).click();
  await mine.getByLabel('Payment amount').fill('5.00');
  await mine.getByRole('button', { name: 'Continue to payment' }).click();
  const further = page.getByRole('dialog', { name: 'Layaway payment' });
  await further.getByRole('button', { name: /^Card on terminal/ }).click();
  await expect(further).toBeHidden();
  const balance = total - minDeposit - 500;
  await expect(lay.getByRole('status').filter({ hasText: 'Payment of $5.00 taken for Lena Layaway' })).toContainText(`Balance now ${money(balance)}`);

  // pickup: the balance in cash, then the items leave as a sale
  await mine.getByRole('button', { name: 'Pick up' }).click();
  await mine.getByRole('button', { name: `Take balance ${money(balance)} and pick up` }).click();
  const rest = page.getByRole('dialog', { name: 'Layaway balance' });
  await rest.getByRole('group', { name: 'Quick cash amounts' }).getByRole('button').first().click();
  await expect(rest).toBeHidden();
  await expect(lay.getByRole('status').filter({ hasText: 'Lena Layaway picked up the layaway' })).toBeVisible();
  await expect(mine).toBeHidden();

  await expectOnServer(request, owner, `sale:${key}:`, 1);
  const [layaway] = await serverDocs<{ _id: string; total: number; customerId: string; lines: { variantId: string; qty: number }[] }>(request, owner, `layaway:${key}:`);
  expect(layaway!.total).toBe(total);
  expect(layaway!.lines.map((l) => [l.variantId, l.qty])).toEqual([
    [a.variantId, 1],
    [b.variantId, 1]
  ]);
  const [sale] = await serverDocs<{ layawayId: string; customerId: string; total: number; tenders: { kind: string; amount: number; reference?: string }[] }>(request, owner, `sale:${key}:`);
  expect(sale).toMatchObject({ layawayId: layaway!._id, customerId: layaway!.customerId, total });
  expect(sale!.tenders).toEqual([
    { kind: 'layaway', amount: minDeposit + 500, reference: layaway!._id },
    { kind: 'cash', amount: balance }
  ]);
  const closeId = `layaway_close:${layaway!._id.slice('layaway:'.length)}`;
  await expectOnServer(request, owner, closeId, 1);
  const [picked] = await serverDocs<{ outcome: string; saleId: string }>(request, owner, closeId);
  expect(picked).toMatchObject({ outcome: 'picked_up' });
  // reservation released, the sale took the units off on hand: available is where the layaway left it
  await expect.poll(() => available(page, [a.variantId, b.variantId])).toEqual([before[0]! - 1, before[1]! - 1]);

  // a second layaway, cancelled: what was paid comes back less the 10 % fee
  await lay.getByRole('button', { name: 'Done' }).click();
  await expect(lay).toBeHidden();
  const beforeC = (await available(page, [c.variantId]))[0]!;
  await scan(page, c.barcode);
  await expect(page.getByRole('list', { name: 'Cart lines' }).getByRole('listitem')).toHaveCount(1);
  await newCustomer(page, 'Cody', 'Cancel');
  const total2 = await cartTotal(page);
  await page.getByRole('button', { name: 'Layaway', exact: true }).click();
  // a deposit above the minimum: the minimum rounded up to whole dollars
  const deposit2 = Math.ceil(Math.ceil(total2 / 5) / 100) * 100;
  const fee = Math.round(deposit2 / 10);
  await lay.getByLabel('Deposit amount').fill((deposit2 / 100).toFixed(2));
  await lay.getByRole('button', { name: 'Take deposit' }).click();
  await deposit.getByRole('group', { name: 'Quick cash amounts' }).getByRole('button').first().click();
  await expect(lay.getByRole('status').filter({ hasText: 'Layaway opened for Cody Cancel' })).toContainText(`balance ${money(total2 - deposit2)}`);
  await expect.poll(() => available(page, [c.variantId])).toEqual([beforeC - 1]);

  const second = lay.getByRole('listitem', { name: 'Layaway of Cody Cancel' });
  await second.getByRole('button', { name: 'Cancel layaway' }).click();
  await expect(second).toContainText(`The cancellation fee of 10 % (${money(fee)}) is kept; ${money(deposit2 - fee)} is refunded`);
  await second.getByRole('button', { name: `Cancel and refund ${money(deposit2 - fee)}` }).click();
  const refund = page.getByRole('dialog', { name: 'Layaway refund' });
  await refund.getByRole('button', { name: `Refund cash ${money(deposit2 - fee)}` }).click();
  await expect(refund).toBeHidden();
  await expect(lay.getByRole('status').filter({ hasText: 'Layaway of Cody Cancel cancelled' })).toContainText(`Give back ${money(deposit2 - fee)}; ${money(fee)} kept as the cancellation fee`);
  await expect(second).toBeHidden();
  await expect.poll(() => available(page, [c.variantId])).toEqual([beforeC]);

  await expect.poll(async () => (await serverDocs(request, owner, `layaway:${key}:`)).length, { timeout: machine(30_000) }).toBe(2);
  const cancelled = (await serverDocs<{ _id: string }>(request, owner, `layaway:${key}:`)).find((l) => l._id !== layaway!._id)!;
  const cancelId = `layaway_close:${cancelled._id.slice('layaway:'.length)}`;
  await expectOnServer(request, owner, cancelId, 1);
  const [cancel] = await serverDocs<{ outcome: string; feeKept: number; tenders: { kind: string; amount: number }[] }>(request, owner, cancelId);
  expect(cancel).toMatchObject({ outcome: 'cancelled', feeKept: fee, tenders: [{ kind: 'cash', amount: -(deposit2 - fee) }] });
});

test('discounts over the cashier limit and a price override need a manager; a cashier switch keeps each cart', async ({ page, request }) => {
  const key = await ready(page, request, 'E2E discount till');
  const [a, b] = [items[6]!, items[7]!];
  await scan(page, a.barcode);
  await scan(page, b.barcode);
  const lines = page.getByRole('list', { name: 'Cart lines' }).getByRole('listitem');
  await expect(lines).toHaveCount(2);
  const gross = await cartTotal(page);

  // 5 %: within the cashier's 10 %, no manager
  await page.getByRole('button', { name: 'Order discount' }).click();
  const disc = page.getByRole('dialog', { name: 'Order discount' });
  await disc.getByLabel('Discount %').fill('5');
  await disc.getByRole('button', { name: 'Apply discount' }).click();
  await expect(disc).toBeHidden();
  await expect(page.getByRole('dialog', { name: 'Manager approval' })).toBeHidden();
  await expect(page.getByLabel('Totals')).toContainText('Discounts');
  const at5 = await cartTotal(page);
  expect(at5).toBeLessThan(gross);

  // 25 %: a manager's PIN (a cashier's own PIN is refused)
  await page.getByRole('button', { name: 'Order discount' }).click();
  await expect(disc.getByLabel('Discount %')).toHaveValue('5');
  await disc.getByLabel('Discount %').fill('25');
  await disc.getByRole('button', { name: 'Apply discount' }).click();
  const approval = page.getByRole('dialog', { name: 'Manager approval' });
  await expect(approval).toContainText('An order discount over 10 % needs a manager.');
  await approval.getByLabel('Manager PIN').fill(PINS.cashier);
  await approval.getByRole('button', { name: 'Approve' }).click();
  await expect(approval.getByRole('alert')).toContainText('cannot approve this. Ask a manager to enter their PIN.');
  await approve(page, 'Manager approval');
  await expect(disc).toBeHidden();
  const at25 = await cartTotal(page);
  expect(at25).toBeLessThan(at5);

  // a sold line cannot be turned into a refund from the line editor (that is a return without receipt)
  const edit = page.getByRole('dialog', { name: /^Edit / });
  await page.getByRole('button', { name: /^Edit / }).nth(1).click();
  await edit.getByLabel('Quantity').fill('-1');
  await edit.getByRole('button', { name: 'Apply' }).click();
  await expect(edit.getByRole('alert')).toHaveText('Quantity must be 1 or more. To take an item back, use Return.');
  await edit.getByRole('button', { name: 'Close' }).click();
  await expect(edit).toBeHidden();
  await expect(lines.nth(1)).toHaveAccessibleName(/quantity 1,/);

  // a lower price and a 20 % line discount on the first line: one manager approval for each
  await page.getByRole('button', { name: /^Edit / }).first().click();
  const newPrice = Math.max(100, Math.floor(a.price / 2));
  await edit.getByLabel('Unit price').fill((newPrice / 100).toFixed(2));
  await edit.getByLabel('Discount %').fill('20');
  await edit.getByRole('button', { name: 'Apply' }).click();
  const manager = page.getByRole('dialog', { name: 'Manager approval' });
  await expect(manager).toContainText('Change the price of');
  await manager.getByLabel('Manager PIN').fill(PINS.manager);
  await manager.getByRole('button', { name: 'Approve' }).click();
  await expect(manager).toContainText('A discount over 10 % on');
  await approve(page, 'Manager approval');
  await expect(edit).toBeHidden();
  // the line reads qty × the new unit price, with the list price it replaced beside it
  await expect(lines.first()).toContainText(`× ${money(newPrice)}`);
  await expect(lines.first()).toContainText(`was ${money(a.price)} each`);
  await payExactCash(page);

  await expectOnServer(request, owner, `sale:${key}:`, 1);
  const [sale] = await serverDocs<{ cashierId: string; cashierName: string; orderDiscount: { kind: string; value: number }; lines: { unitPrice: number; discount: number }[]; approvals: { action: string; staffName: string; staffId: string }[] }>(
    request,
    owner,
    `sale:${key}:`
  );
  expect(sale!.cashierName).toBe('Carlos Cashier');
  expect(sale!.orderDiscount).toEqual({ kind: 'percent', value: 2500 });
  expect(sale!.lines[0]!.unitPrice).toBe(newPrice);
  expect(sale!.lines[0]!.discount).toBeGreaterThan(0);
  expect(sale!.approvals).toEqual([
    expect.objectContaining({ action: 'discount_over_limit', staffName: 'Maria Manager' }),
    expect.objectContaining({ action: 'price_override', staffName: 'Maria Manager' }),
    expect.objectContaining({ action: 'discount_over_limit', staffName: 'Maria Manager' })
  ]);
  expect(sale!.approvals.every((x) => x.staffId !== sale!.cashierId)).toBe(true);

  // cashier switch: the cashier's cart waits while the manager sells
  await scan(page, items[8]!.barcode);
  await scan(page, items[9]!.barcode);
  await expect(lines).toHaveCount(2);
  await page.getByRole('button', { name: 'Lock', exact: true }).click();
  await signIn(page, PINS.manager);
  await expect(page.getByLabel('Signed in as')).toHaveText('Maria Manager');
  await expect(page.getByText('Scan an item or pick one from the grid.')).toBeVisible();
  await scan(page, items[10]!.barcode);
  await expect(lines).toHaveCount(1);
  await payExactCash(page);
  await page.getByRole('button', { name: 'Lock', exact: true }).click();
  await signIn(page, PINS.cashier);
  await expect(page.getByLabel('Signed in as')).toHaveText('Carlos Cashier');
  await expect(lines).toHaveCount(2);
  await expect(lines.nth(0)).toHaveAccessibleName(new RegExp(`quantity 1`));

  await expectOnServer(request, owner, `sale:${key}:`, 2);
  const sales = await serverDocs<{ cashierName: string; lines: { variantId: string }[] }>(request, owner, `sale:${key}:`);
  expect(sales[1]).toMatchObject({ cashierName: 'Maria Manager', lines: [expect.objectContaining({ variantId: items[10]!.variantId })] });
});

test('a customer created offline is attached to an offline sale; both reach the server', async ({ page, context, request }) => {
  const key = await ready(page, request, 'E2E customer till');
  await expectOnServer(request, owner, `shift:${key}:`, 1);
  await settled(page);
  await context.setOffline(true);
  await expect(page.getByRole('status', { name: 'Sync badge' })).toContainText('Offline', { timeout: machine(30_000) });

  const last = `Offline${Date.now().toString(36)}`;
  await newCustomer(page, 'Olga', last);
  await scan(page, items[11]!.barcode);
  await expect(page.getByRole('list', { name: 'Cart lines' }).getByRole('listitem')).toHaveCount(1);
  await payExactCash(page);
  await expectUnsynced(page, 1);

  await context.setOffline(false);
  await expectUnsynced(page, 0, machine(60_000));
  await expectOnServer(request, owner, `sale:${key}:`, 1);
  const [sale] = await serverDocs<{ customerId?: string }>(request, owner, `sale:${key}:`);
  expect(sale!.customerId).toMatch(/^customer:/);
  await expect
    .poll(
      async () => {
        const res = await request.get(`/db/t-${owner.tenantId}-customers/${encodeURIComponent(sale!.customerId!)}`, { headers: owner.auth });
        return res.ok() ? ((await res.json()) as { firstName: string; lastName: string }) : null;
      },
      { timeout: machine(30_000) }
    )
    .toMatchObject({ firstName: 'Olga', lastName: last });
});
