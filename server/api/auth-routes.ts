import { Router, type Response } from 'express';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { z } from 'zod';
import { PIN_PATTERN } from '#domain/pin.ts';
import { currentUser, endSession, pinSignIn, refreshSession, startSession, userPrincipal, verifyLogin } from '../auth/flows.ts';
import type { Ctx } from '../context.ts';
import { requireAuth, resolvePrincipal } from '../http/authenticate.ts';
import { AppError, parseBody, route } from '../http/errors.ts';
import type { UserDoc } from '../platform/types.ts';
import { changeOwnPassword, passwordChangeInput } from '../staff/accounts.ts';
import { forbidden } from '../http/errors.ts';

const REFRESH_COOKIE = 'pos_refresh';
const loginBody = z.object({ email: z.string().trim().pipe(z.email('must be an email address')), password: z.string().min(1, 'is required').max(200) });
const pinBody = z.object({ pin: z.string().regex(PIN_PATTERN, 'must be 4 to 6 digits') });

export function authRoutes(ctx: Ctx): Router {
  // passport-local does the credential extraction; verifyLogin does the checking and lockout.
  passport.use(
    new LocalStrategy({ usernameField: 'email', passwordField: 'password', session: false }, (email, password, done) => {
      verifyLogin(ctx, email, password).then((u) => done(null, u), done);
    })
  );

  const setRefreshCookie = (res: Response, token: string) =>
    res.cookie(REFRESH_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: ctx.config.COOKIE_SECURE,
      path: '/api/v1/auth',
      maxAge: ctx.config.REFRESH_TOKEN_TTL_S * 1000
    });

  const r = Router();

  r.post('/login', (req, res, next) => {
    try {
      parseBody(loginBody, req.body);
    } catch (err) {
      return next(err);
    }
    passport.authenticate('local', { session: false }, (err: unknown, user: UserDoc | false) => {
      if (err) return next(err);
      if (!user) return next(new AppError(401, 'invalid_credentials', 'Email or password is wrong'));
      startSession(ctx, user)
        .then((s) => {
          setRefreshCookie(res, s.refreshToken);
          res.json({ accessToken: s.accessToken, expiresIn: s.expiresIn, user: s.user });
        })
        .catch(next);
    })(req, res, next);
  });

  r.post(
    '/refresh',
    route(async (req, res) => {
      const s = await refreshSession(ctx, req.cookies?.[REFRESH_COOKIE]);
      setRefreshCookie(res, s.refreshToken);
      res.json({ accessToken: s.accessToken, expiresIn: s.expiresIn, user: s.user });
    })
  );

  r.post(
    '/logout',
    route(async (req, res) => {
      // a PIN session on a device has no cookie: it ends by presenting its access token
      const bearer = await resolvePrincipal(ctx, req).catch(() => null);
      await endSession(ctx, req.cookies?.[REFRESH_COOKIE], bearer);
      res.clearCookie(REFRESH_COOKIE, { path: '/api/v1/auth' });
      res.status(204).end();
    })
  );

  r.post(
    '/pin',
    requireAuth(ctx),
    route(async (req, res) => {
      const { pin } = parseBody(pinBody, req.body);
      res.json(await pinSignIn(ctx, req.principal!, pin));
    })
  );

  /** A signed-in user changes their own password (also how a temporary one is replaced). */
  r.post(
    '/password',
    requireAuth(ctx),
    route(async (req, res) => {
      const p = req.principal!;
      if (p.kind !== 'user') throw forbidden('Only a signed-in user account has a password to change');
      const input = parseBody(passwordChangeInput, req.body);
      const user = await changeOwnPassword(ctx.couch, p.userId, input, String(req.id), p.sessionId);
      ctx.sessions.forget(p.userId);
      // a fresh access token for this session: the one presented may carry the temporary-password
      // restriction, and every token issued before the change has stopped working
      const next = userPrincipal(user, p.sessionId);
      const { token, expiresIn } = ctx.tokens.signPrincipal(next);
      res.json({ accessToken: token, expiresIn, user: await currentUser(ctx, next) });
    })
  );

  r.get(
    '/me',
    requireAuth(ctx),
    route(async (req, res) => {
      res.json({ user: await currentUser(ctx, req.principal!) });
    })
  );

  return r;
}
