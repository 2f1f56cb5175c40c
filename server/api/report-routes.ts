import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { REPORTS, reportCsv, type ReportName } from '#domain/report-tables.ts';
import type { Ctx } from '../context.ts';
import { locationDb } from '#domain/db-names.ts';
import { requireAuth } from '../http/authenticate.ts';
import { notFound, parseBody, route } from '../http/errors.ts';
import { cardReport } from '../integrations/payments/card-report.ts';
import { dashboard, emailBody, emailReceipt, journal, journalQuery, rangeQuery, runReport, saleDetail } from '../reports/service.ts';

const locationParam = z.object({ location: z.string().trim().toUpperCase().regex(/^[A-Z][A-Z0-9]{1,9}$/, 'must be a location code like GM') });
const optionalLocation = z.object({ location: locationParam.shape.location.optional() });

/**
 * Reports, the dashboard and the sales journal (docs/API.md "Reports"). Everything needs
 * `report:view` (managers, owners, admins) and covers only the locations the user may use: a
 * `location` outside them is 403, no `location` means all of theirs — checked by the use cases
 * (reports/service.ts).
 */
export function reportRoutes(ctx: Ctx): Router {
  const r = Router();
  const auth = requireAuth(ctx);


  r.get(
    '/reports/dashboard',
    auth,
    route(async (req, res) => {
      const p = req.principal!;
      const q = parseBody(optionalLocation, req.query);
      res.json(await dashboard(ctx.couch, p, q.location));
    })
  );

  // the daily card report: the POS's card tenders next to the provider's charges and refunds
  r.get(
    '/reports/card-payments',
    auth,
    route(async (req, res) => {
      const q = parseBody(rangeQuery, req.query);
      res.json(await cardReport(ctx, req.principal!, q));
    })
  );

  // /reports/{name} (JSON, or CSV with ?format=csv) and /reports/{name}.csv
  r.get(
    '/reports/:name',
    auth,
    route(async (req: Request, res: Response) => {
      const p = req.principal!;
      const m = /^([a-z-]+?)(\.csv)?$/.exec(String(req.params.name));
      const name = m?.[1] as ReportName | undefined;
      if (!name || !REPORTS.includes(name)) throw notFound(`No report ${req.params.name}; reports: ${REPORTS.join(', ')}`);
      const q = parseBody(rangeQuery, req.query);
      const result = await runReport(ctx.couch, p, name, q);
      if (m?.[2] || q.format === 'csv') {
        const where = q.location ? `-${q.location}` : '';
        res.setHeader('Content-Type', 'text/csv; charset=utf-8');
        res.setHeader('Content-Disposition', `attachment; filename="${name}${where}-${q.from}-to-${q.to}.csv"`);
        res.send(reportCsv(result, result.currency, (code) => result.formats[code]?.timeZone ?? 'UTC'));
        return;
      }
      res.json(result);
    })
  );

  r.get(
    '/sales',
    auth,
    route(async (req, res) => {
      const p = req.principal!;
      const q = { ...parseBody(rangeQuery, req.query), ...parseBody(journalQuery, req.query) };
      res.json(await journal(ctx.couch, p, q));
    })
  );

  r.get(
    '/sales/:id',
    auth,
    route(async (req, res) => {
      const p = req.principal!;
      const q = parseBody(locationParam, req.query);
      res.json(await saleDetail(ctx.couch, p, q.location, String(req.params.id)));
    })
  );

  r.post(
    '/sales/:id/email',
    auth,
    route(async (req, res) => {
      const p = req.principal!;
      const body = parseBody(emailBody, req.body);
      const outbox = await emailReceipt(ctx.couch, p, String(req.params.id), body, String(req.id));
      ctx.notify.changed(locationDb(p.tenantId, outbox.locationCode));
      res.status(202).json({ queued: true, outbox: { _id: outbox._id, to: outbox.to, ref: outbox.ref } });
    })
  );

  return r;
}
