import express, { Router } from 'express';
import { z } from 'zod';
import { authorize } from '../auth/principal.ts';
import { exportCatalog, importCatalogCsv } from '../catalog/csv-import.ts';
import type { Ctx } from '../context.ts';
import { requireAuth } from '../http/authenticate.ts';
import { AppError, parseBody, route } from '../http/errors.ts';

/** Largest CSV accepted (100k variant rows are ~15 MB). */
export const CSV_LIMIT = '20mb';

const importQuery = z.object({
  dryRun: z.enum(['0', '1', 'true', 'false'], { message: 'must be 1 or 0' }).optional()
});

/** Catalog CSV import and export (docs/CSV.md) for the admin portal. */
export function catalogRoutes(ctx: Ctx): Router {
  const r = Router();
  const auth = requireAuth(ctx);
  const csvBody = express.text({ type: ['text/csv', 'text/plain', 'application/csv', 'application/vnd.ms-excel'], limit: CSV_LIMIT });

  r.post(
    '/import',
    auth,
    csvBody,
    route(async (req, res) => {
      // checked before the body is looked at, and again by the use case
      authorize(req.principal!, 'catalog:edit', 'Importing products');
      const { dryRun } = parseBody(importQuery, req.query);
      if (typeof req.body !== 'string') throw new AppError(415, 'unsupported_media_type', 'Send the file as the request body with Content-Type: text/csv');
      const summary = await importCatalogCsv(ctx.couch, { principal: req.principal!, requestId: String(req.id) }, req.body, { dryRun: dryRun === '1' || dryRun === 'true' });
      res.json(summary);
    })
  );

  r.get(
    '/export',
    auth,
    route(async (req, res) => {
      const p = req.principal!;
      const csv = await exportCatalog(ctx.couch, { principal: p });
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="catalog-${p.tenantId}.csv"`);
      res.send(csv);
    })
  );

  return r;
}
