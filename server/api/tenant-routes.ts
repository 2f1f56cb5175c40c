import { Router } from 'express';
import { z } from 'zod';
import { catalogDb } from '#domain/db-names.ts';
import { createEnrolmentCode, enrolDevice, listDevices, revokeDevice } from '../auth/flows.ts';
import { mayUseLocation } from '../auth/principal.ts';
import type { Ctx } from '../context.ts';
import { requireAuth } from '../http/authenticate.ts';
import { parseBody, route } from '../http/errors.ts';
import { addTenantLocation } from '../settings/service.ts';
import { defaultLocale } from '#domain/store-format.ts';
import QRCode from 'qrcode';

const enrolBody = z.object({ code: z.string().trim().min(8, 'must be the 8-character code').max(20) });

interface LocationRow {
  code: string;
  name: string;
  address: string;
  timeZone: string;
  currency: string;
  locale?: string;
}

export function tenantRoutes(ctx: Ctx): Router {
  const r = Router();
  const auth = requireAuth(ctx);

  r.get(
    '/locations',
    auth,
    route(async (req, res) => {
      const p = req.principal!;
      const rows = await ctx.couch
        .use(catalogDb(p.tenantId))
        .list({ startkey: 'location:', endkey: 'location:\ufff0', include_docs: true });
      const locations = rows.rows
        .map((row) => row.doc as unknown as LocationRow)
        .filter((l) => mayUseLocation(p, l.code))
        // locale: how the location writes dates and money (its own, else its currency's default)
        .map(({ code, name, address, timeZone, currency, locale }) => ({ code, name, address, timeZone, currency, locale: locale ?? defaultLocale(currency) }));
      res.json({ locations });
    })
  );

  r.post(
    '/locations',
    auth,
    route(async (req, res) => {
      res.status(201).json({ location: await addTenantLocation(ctx, req.principal!, req.body) });
    })
  );

  r.post(
    '/devices/enrolment-codes',
    auth,
    route(async (req, res) => {
      const out = await createEnrolmentCode(ctx, req.principal!, req.body);
      // A phone's camera needs an absolute URL: the origin this admin reached the server at (behind a
      // proxy, `trust proxy` makes req.protocol/host the public ones).
      const qrUrl = new URL(out.qrPayload, `${req.protocol}://${req.get('host') ?? 'localhost'}`).href;
      const qrSvg = await QRCode.toString(qrUrl, { type: 'svg', margin: 1 });
      res.status(201).json({ ...out, qrUrl, qrSvg });
    })
  );

  r.post(
    '/devices/enrol',
    route(async (req, res) => {
      const { code } = parseBody(enrolBody, req.body);
      res.status(201).json(await enrolDevice(ctx, code));
    })
  );

  r.get(
    '/devices',
    auth,
    route(async (req, res) => {
      res.json({ devices: await listDevices(ctx, req.principal!) });
    })
  );

  r.delete(
    '/devices/:id',
    auth,
    route(async (req, res) => {
      await revokeDevice(ctx, req.principal!, String(req.params.id));
      res.status(204).end();
    })
  );

  return r;
}
