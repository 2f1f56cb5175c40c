import { Router } from 'express';
import { z } from 'zod';
import { LOCATION_CODE_PATTERN } from '#domain/db-names.ts';
import type { Ctx } from '../context.ts';
import { requireAuth } from '../http/authenticate.ts';
import { badRequest, parseBody, route } from '../http/errors.ts';
import {
  assignReader,
  assignReaderBody,
  cancelCardPayment,
  captureBody,
  captureCardPayment,
  connectBody,
  connectionToken,
  connectStripe,
  createCardPayment,
  createPaymentBody,
  getCardPayment,
  getStripeConnection,
  linkTerminalLocation,
  listReaders,
  processBody,
  processOnReader,
  refundBody,
  refundCardPayment,
  registerReader,
  registerReaderBody,
  terminalLocationBody
} from '../integrations/payments/service.ts';

function codeParam(raw: unknown): string {
  const code = String(raw).toUpperCase();
  if (!LOCATION_CODE_PATTERN.test(code)) throw badRequest('code: must be a location code like GM');
  return code;
}
const readersQuery = z.object({ location: z.string().trim().toUpperCase().regex(LOCATION_CODE_PATTERN, 'must be a location code like GM').optional() }).strict();
const empty = z.object({}).strict();

/**
 * Card payments (issue 17): registers under /payments (device token or a PIN session on a register),
 * the admin's Stripe set-up under /payments/stripe (settings:manage). Every use case checks its caller;
 * these routes authenticate, parse and answer. The webhook is in app.ts (it needs the raw body).
 */
export function paymentsRoutes(ctx: Ctx): Router {
  const r = Router();
  const auth = requireAuth(ctx);

  r.get('/payments/stripe/connection', auth, route(async (req, res) => void res.json(await getStripeConnection(ctx, req.principal!))));
  r.put('/payments/stripe/connection', auth, route(async (req, res) => void res.json(await connectStripe(ctx, req.principal!, parseBody(connectBody, req.body)))));
  r.put(
    '/payments/stripe/locations/:code',
    auth,
    route(async (req, res) => {
      const out = await linkTerminalLocation(ctx, req.principal!, codeParam(req.params.code), parseBody(terminalLocationBody, req.body));
      res.status(out.created ? 201 : 200).json(out);
    })
  );
  r.post('/payments/stripe/readers', auth, route(async (req, res) => void res.status(201).json({ reader: await registerReader(ctx, req.principal!, parseBody(registerReaderBody, req.body)) })));
  r.put(
    '/payments/stripe/readers/:readerId/assignment',
    auth,
    route(async (req, res) => void res.json({ reader: await assignReader(ctx, req.principal!, String(req.params.readerId), parseBody(assignReaderBody, req.body)) }))
  );
  r.get(
    '/payments/readers',
    auth,
    route(async (req, res) => {
      const q = parseBody(readersQuery, req.query);
      res.json({ readers: await listReaders(ctx, req.principal!, q.location) });
    })
  );

  r.post(
    '/payments/connection-token',
    auth,
    route(async (req, res) => {
      parseBody(empty, req.body);
      res.json(await connectionToken(ctx, req.principal!));
    })
  );
  r.post('/payments', auth, route(async (req, res) => void res.status(201).json({ payment: await createCardPayment(ctx, req.principal!, parseBody(createPaymentBody, req.body)) })));
  r.get('/payments/:paymentId', auth, route(async (req, res) => void res.json({ payment: await getCardPayment(ctx, req.principal!, String(req.params.paymentId)) })));
  r.post(
    '/payments/:paymentId/process',
    auth,
    route(async (req, res) => {
      const { readerId } = parseBody(processBody, req.body);
      res.json(await processOnReader(ctx, req.principal!, String(req.params.paymentId), readerId));
    })
  );
  r.post(
    '/payments/:paymentId/cancel',
    auth,
    route(async (req, res) => {
      parseBody(empty, req.body);
      res.json({ payment: await cancelCardPayment(ctx, req.principal!, String(req.params.paymentId)) });
    })
  );
  r.post(
    '/payments/:paymentId/capture',
    auth,
    route(async (req, res) => {
      const { amount } = parseBody(captureBody, req.body);
      res.json({ payment: await captureCardPayment(ctx, req.principal!, String(req.params.paymentId), amount) });
    })
  );
  r.post('/payments/:paymentId/refunds', auth, route(async (req, res) => void res.json(await refundCardPayment(ctx, req.principal!, String(req.params.paymentId), parseBody(refundBody, req.body)))));
  return r;
}
