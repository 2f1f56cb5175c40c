import { textRule } from '#domain/schemas/text.ts';
import { Router } from 'express';
import rateLimit from 'express-rate-limit';
import { z } from 'zod';
import { API_KEY_SCOPES } from '#domain/api-keys.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../auth/api-keys.ts';
import { hasPermission } from '../auth/principal.ts';
import type { Ctx } from '../context.ts';
import { requireAuth } from '../http/authenticate.ts';
import { forbidden, parseBody, route } from '../http/errors.ts';
import { signUp, signupInput } from '../tenants/signup.ts';

const apiKeyBody = z.object({
  name: z.string().trim().min(1, 'is required').max(80).superRefine(textRule()),
  scopes: z.array(z.enum(API_KEY_SCOPES, `must be one of ${API_KEY_SCOPES.join(', ')}`)).min(1, 'give at least one scope')
});

/** The tenant journey: public sign-up, and the tenant's API keys (Enterprise). */
export function signupRoutes(ctx: Ctx): Router {
  const r = Router();
  const auth = requireAuth(ctx);

  // Each sign-up makes databases: far stricter than the general /api/v1 limit.
  const signupLimit = rateLimit({
    windowMs: 3_600_000,
    limit: ctx.config.SIGNUP_RATE_LIMIT,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, res) => {
      res.status(429).json({ error: 'rate_limited', message: `Too many sign-ups from this network: the limit is ${ctx.config.SIGNUP_RATE_LIMIT} an hour; try again later` });
    }
  });

  r.post(
    '/signup',
    signupLimit,
    route(async (req, res) => {
      const input = parseBody(signupInput, req.body);
      const out = await signUp(ctx, input);
      // The answer holds the only copy of the temporary password.
      res.setHeader('Cache-Control', 'no-store');
      res.status(201).json(out);
    })
  );

  const manage = (what: string) =>
    route(async (req, _res, next) => {
      if (!hasPermission(req.principal!, 'settings:manage')) throw forbidden(`${what} needs the settings:manage permission`);
      next();
    });

  r.get(
    '/api-keys',
    auth,
    manage('Listing API keys'),
    route(async (req, res) => {
      res.json({ apiKeys: await listApiKeys(ctx, req.principal!) });
    })
  );

  r.post(
    '/api-keys',
    auth,
    manage('Creating API keys'),
    route(async (req, res) => {
      const body = parseBody(apiKeyBody, req.body);
      const out = await createApiKey(ctx, req.principal!, body);
      res.setHeader('Cache-Control', 'no-store');
      res.status(201).json(out);
    })
  );

  r.delete(
    '/api-keys/:id',
    auth,
    manage('Revoking API keys'),
    route(async (req, res) => {
      await revokeApiKey(ctx, req.principal!, String(req.params.id));
      res.status(204).end();
    })
  );

  return r;
}
