import { Router } from 'express';
import { z } from 'zod';
import type { Ctx } from '../context.ts';
import { requireAuth } from '../http/authenticate.ts';
import { parseBody, route } from '../http/errors.ts';
import { messagesQuery, suppressionBody } from '../notify/service.ts';
import { digestInput, emailDigest, layawayReminderInput, remindLayaway } from '../notify/producers.ts';

const tokenQuery = z.object({ token: z.string().min(10).max(1000) }).passthrough();

/**
 * Email and SMS (docs/API.md "Messages"): the delivery list with status, resend, the suppression
 * list, and the public unsubscribe link. The use cases check their callers (notify/service.ts).
 */
export function messagesRoutes(ctx: Ctx): Router {
  const r = Router();
  const auth = requireAuth(ctx);

  r.get(
    '/messages',
    auth,
    route(async (req, res) => {
      const q = parseBody(messagesQuery, req.query);
      res.json({ ...(await ctx.notify.list(req.principal!, q)), channels: ctx.notify.status() });
    })
  );

  r.post(
    '/messages/:id/resend',
    auth,
    route(async (req, res) => {
      res.json({ message: await ctx.notify.resend(req.principal!, String(req.params.id), String(req.id)) });
    })
  );

  r.get(
    '/messages/suppressions',
    auth,
    route(async (req, res) => {
      const list = await ctx.notify.suppressions(req.principal!);
      res.json({ suppressions: list.map((s) => ({ channel: s.channel, address: s.address, reason: s.reason, scope: s.scope, detail: s.detail ?? null, createdAt: s.createdAt })) });
    })
  );

  r.post(
    '/messages/suppressions/remove',
    auth,
    route(async (req, res) => {
      const removed = await ctx.notify.unsuppress(req.principal!, parseBody(suppressionBody, req.body), String(req.id));
      res.json({ removed });
    })
  );

  r.post(
    '/messages/digest',
    auth,
    route(async (req, res) => {
      res.status(202).json({ queued: true, ...(await emailDigest(ctx.couch, req.principal!, parseBody(digestInput, req.body), String(req.id))) });
    })
  );

  r.post(
    '/messages/layaway-reminder',
    auth,
    route(async (req, res) => {
      res.status(202).json({ queued: true, ...(await remindLayaway(ctx.couch, req.principal!, parseBody(layawayReminderInput, req.body), String(req.id))) });
    })
  );

  // Public: the link in a notification. GET describes it (for the confirmation page); POST unsubscribes
  // (the page's button, or a mail client's RFC 8058 one-click POST with List-Unsubscribe=One-Click).
  r.get(
    '/unsubscribe',
    route(async (req, res) => {
      const { token } = parseBody(tokenQuery, req.query);
      res.setHeader('Cache-Control', 'no-store');
      res.json(await ctx.notify.describeUnsubscribe(token));
    })
  );
  r.post(
    '/unsubscribe',
    route(async (req, res) => {
      const { token } = parseBody(tokenQuery, req.query);
      res.setHeader('Cache-Control', 'no-store');
      res.json({ unsubscribed: true, ...(await ctx.notify.unsubscribe(token)) });
    })
  );
  return r;
}
