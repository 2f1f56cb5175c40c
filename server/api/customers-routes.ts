import { Router, type Request } from 'express';
import { z } from 'zod';
import { customerIdSchema } from '#domain/customers.ts';
import type { Ctx } from '../context.ts';
import { queueGiftCardIssued } from '../notify/producers.ts';
import {
  adjustBalance,
  giftCard,
  issueGiftCard,
  mergeCustomers,
  previewMerge,
  setLoyaltyRules,
  tenantCurrency,
  updateProfile
} from '../customers/service.ts';
import { customerFor, customerLedgerFor, findCustomers, giftCardFor, loyaltyRulesFor, purchasesFor } from '../customers/queries.ts';
import { callerOf, requireAuth } from '../http/authenticate.ts';
import { parseBody, route } from '../http/errors.ts';

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

/**
 * Customers for the admin portal: search, profile, purchase history, balances and their ledger,
 * adjustments, gift cards, merges and the loyalty rules. Every endpoint needs `customer:manage`
 * (owners, admins, managers); changing the loyalty rules needs `settings:manage`. Purchase history
 * covers only the locations the caller may use. Every write is audited.
 */
export function customersRoutes(ctx: Ctx): Router {
  const r = Router();
  const auth = requireAuth(ctx);

  const idParam = (req: Request) => parseBody(customerIdSchema, String(req.params.id));
  /** The use cases check the caller's permission themselves (server/customers/service.ts, queries.ts). */

  r.get(
    '/',
    auth,
    route(async (req, res) => {
      const q = parseBody(searchQuery, req.query);
      res.json(await findCustomers(ctx.couch, req.principal!, { q: q.q, page: q.page, pageSize: q.pageSize, includeMerged: q.includeMerged === 'true' }));
    })
  );

  r.get(
    '/loyalty-rules',
    auth,
    route(async (req, res) => {
      res.json(await loyaltyRulesFor(ctx.couch, req.principal!));
    })
  );

  r.put(
    '/loyalty-rules',
    auth,
    route(async (req, res) => {
      const rules = await setLoyaltyRules(ctx.couch, callerOf(req), req.body);
      res.json({ rules, currency: await tenantCurrency(ctx.couch, req.principal!.tenantId), mayEdit: true });
    })
  );

  r.post(
    '/gift-cards',
    auth,
    route(async (req, res) => {
      const out = await issueGiftCard(ctx.couch, callerOf(req), req.body);
      const tenantId = req.principal!.tenantId;
      // the customer hears about it by email (once per card; the number's last four digits only)
      if (out.created) await queueGiftCardIssued(ctx.couch, tenantId, { number: out.number, amount: out.amount, customerId: out.customerId });
      res.status(out.created ? 201 : 200).json({ ...(await giftCard(ctx.couch, tenantId, out.number)), created: out.created });
    })
  );

  r.get(
    '/gift-cards/:number',
    auth,
    route(async (req, res) => {
      res.json(await giftCardFor(ctx.couch, req.principal!, String(req.params.number)));
    })
  );

  r.post(
    '/adjustments',
    auth,
    route(async (req, res) => {
      const out = await adjustBalance(ctx.couch, callerOf(req), req.body);
      res.status(out.created ? 201 : 200).json(out);
    })
  );

  r.post(
    '/merge/preview',
    auth,
    route(async (req, res) => {
      res.json(await previewMerge(ctx.couch, callerOf(req), req.body));
    })
  );

  r.post(
    '/merge',
    auth,
    route(async (req, res) => {
      res.json(await mergeCustomers(ctx.couch, callerOf(req), req.body));
    })
  );

  r.get(
    '/:id',
    auth,
    route(async (req, res) => {
      res.json(await customerFor(ctx.couch, req.principal!, idParam(req)));
    })
  );

  r.patch(
    '/:id',
    auth,
    route(async (req, res) => {
      res.json({ customer: await updateProfile(ctx.couch, callerOf(req), String(req.params.id), req.body) });
    })
  );

  r.get(
    '/:id/ledger',
    auth,
    route(async (req, res) => {
      const q = parseBody(ledgerQuery, req.query);
      res.json(await customerLedgerFor(ctx.couch, req.principal!, idParam(req), q.account));
    })
  );

  r.get(
    '/:id/purchases',
    auth,
    route(async (req, res) => {
      res.json(await purchasesFor(ctx.couch, req.principal!, idParam(req), parseBody(purchasesQuery, req.query)));
    })
  );

  return r;
}
