import { Router, type Request } from 'express';
import { z } from 'zod';
import { adjustmentInput, issueGiftCardInput, loyaltyRulesInput, mergeInput, profileInput } from '#domain/customers.ts';
import { authorize, actorOf, hasPermission, mayUseLocation } from '../auth/principal.ts';
import type { Ctx } from '../context.ts';
import { queueGiftCardIssued } from '../notify/producers.ts';
import {
  adjustBalance,
  customerLedger,
  customerProfile,
  getCustomer,
  getLoyaltyRules,
  giftCard,
  issueGiftCard,
  mergeCustomers,
  mergedInto,
  previewMerge,
  purchaseHistory,
  searchCustomers,
  setLoyaltyRules,
  tenantCurrency,
  updateProfile
} from '../customers/service.ts';
import { requireAuth } from '../http/authenticate.ts';
import { parseBody, route } from '../http/errors.ts';
import { getTenant } from '../tenants/provision.ts';

const page = z.coerce.number().int().min(1).max(100_000).default(1);
const searchQuery = z
  .object({
    q: z.string().trim().max(100).default(''),
    page,
    pageSize: z.coerce.number().int().min(1).max(100).default(25),
    includeMerged: z.enum(['true', 'false']).default('false')
  })
  .strict();
const ledgerQuery = z.object({ account: z.enum(['loyalty', 'store_credit']) }).strict();
const purchasesQuery = z.object({ page, pageSize: z.coerce.number().int().min(1).max(100).default(20) }).strict();
const customerId = z.string().regex(/^customer:[^\s]{1,190}$/, 'must be a customer id like customer:…');

/**
 * Customers for the admin portal: search, profile, purchase history, balances and their ledger,
 * adjustments, gift cards, merges and the loyalty rules. Every endpoint needs `customer:manage`
 * (owners, admins, managers); changing the loyalty rules needs `settings:manage`. Purchase history
 * covers only the locations the caller may use. Every write is audited.
 */
export function customersRoutes(ctx: Ctx): Router {
  const r = Router();
  const auth = requireAuth(ctx);

  const idParam = (req: Request) => parseBody(customerId, String(req.params.id));

  r.get(
    '/',
    auth,
    route(async (req, res) => {
      const p = authorize(req.principal!, 'customer:manage', 'Searching customers');
      const q = parseBody(searchQuery, req.query);
      res.json(await searchCustomers(ctx.couch, p.tenantId, { q: q.q, page: q.page, pageSize: q.pageSize, includeMerged: q.includeMerged === 'true' }));
    })
  );

  r.get(
    '/loyalty-rules',
    auth,
    route(async (req, res) => {
      const p = authorize(req.principal!, 'customer:manage', 'Viewing the loyalty rules');
      res.json({ rules: await getLoyaltyRules(ctx.couch, p.tenantId), currency: await tenantCurrency(ctx.couch, p.tenantId), mayEdit: hasPermission(p, 'settings:manage') });
    })
  );

  r.put(
    '/loyalty-rules',
    auth,
    route(async (req, res) => {
      const p = authorize(req.principal!, 'settings:manage', 'Changing the loyalty rules');
      const input = parseBody(loyaltyRulesInput, req.body);
      res.json({ rules: await setLoyaltyRules(ctx.couch, p.tenantId, input, actorOf(p), String(req.id)), currency: await tenantCurrency(ctx.couch, p.tenantId), mayEdit: true });
    })
  );

  r.post(
    '/gift-cards',
    auth,
    route(async (req, res) => {
      const p = authorize(req.principal!, 'customer:manage', 'Issuing a gift card');
      const input = parseBody(issueGiftCardInput, req.body);
      const out = await issueGiftCard(ctx.couch, p.tenantId, input, actorOf(p), String(req.id));
      // the customer hears about it by email (once per card; the number's last four digits only)
      if (out.created) await queueGiftCardIssued(ctx.couch, p.tenantId, { number: out.number, amount: input.amount, customerId: input.customerId });
      res.status(out.created ? 201 : 200).json({ ...(await giftCard(ctx.couch, p.tenantId, out.number)), created: out.created });
    })
  );

  r.get(
    '/gift-cards/:number',
    auth,
    route(async (req, res) => {
      const p = authorize(req.principal!, 'customer:manage', 'Looking up a gift card');
      res.json(await giftCard(ctx.couch, p.tenantId, String(req.params.number)));
    })
  );

  r.post(
    '/adjustments',
    auth,
    route(async (req, res) => {
      const p = authorize(req.principal!, 'customer:manage', 'Adjusting a balance');
      const input = parseBody(adjustmentInput, req.body);
      const out = await adjustBalance(ctx.couch, p.tenantId, input, actorOf(p), String(req.id));
      res.status(out.created ? 201 : 200).json(out);
    })
  );

  r.post(
    '/merge/preview',
    auth,
    route(async (req, res) => {
      const p = authorize(req.principal!, 'customer:manage', 'Merging customers');
      const input = parseBody(mergeInput, req.body);
      res.json(await previewMerge(ctx.couch, p.tenantId, input.keep, input.duplicate, actorOf(p)));
    })
  );

  r.post(
    '/merge',
    auth,
    route(async (req, res) => {
      const p = authorize(req.principal!, 'customer:manage', 'Merging customers');
      const input = parseBody(mergeInput, req.body);
      res.json(await mergeCustomers(ctx.couch, p.tenantId, input.keep, input.duplicate, actorOf(p), String(req.id)));
    })
  );

  r.get(
    '/:id',
    auth,
    route(async (req, res) => {
      const p = authorize(req.principal!, 'customer:manage', 'Viewing a customer');
      res.json(await customerProfile(ctx.couch, p.tenantId, idParam(req)));
    })
  );

  r.patch(
    '/:id',
    auth,
    route(async (req, res) => {
      const p = authorize(req.principal!, 'customer:manage', 'Editing a customer');
      const input = parseBody(profileInput, req.body);
      res.json({ customer: await updateProfile(ctx.couch, p.tenantId, idParam(req), input, actorOf(p), String(req.id)) });
    })
  );

  r.get(
    '/:id/ledger',
    auth,
    route(async (req, res) => {
      const p = authorize(req.principal!, 'customer:manage', 'Viewing a customer');
      const q = parseBody(ledgerQuery, req.query);
      res.json(await customerLedger(ctx.couch, p.tenantId, idParam(req), q.account));
    })
  );

  r.get(
    '/:id/purchases',
    auth,
    route(async (req, res) => {
      const p = authorize(req.principal!, 'customer:manage', 'Viewing a customer');
      const q = parseBody(purchasesQuery, req.query);
      const id = idParam(req);
      await getCustomer(ctx.couch, p.tenantId, id);
      const tenant = await getTenant(ctx.couch, p.tenantId);
      const locations = (tenant?.locations ?? []).filter((code) => mayUseLocation(p, code));
      const rows = await purchaseHistory(ctx.couch, p.tenantId, [id, ...(await mergedInto(ctx.couch, p.tenantId, id))], locations);
      const start = (q.page - 1) * q.pageSize;
      res.json({ locations, purchases: rows.slice(start, start + q.pageSize), total: rows.length, page: q.page, pageSize: q.pageSize });
    })
  );

  return r;
}
