/**
 * The admin's side of the app, behind the admin token: invites, per-annotator statistics and quality flags,
 * excluding an annotator's data, export in HH or TRL JSONL, and starting preference-model training on the store.
 * An annotator's session opens none of it.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { stream } from 'hono/streaming';
import { z } from 'zod';
import type { FeedbackStore } from '../../data/store/feedback-store.ts';
import type { CandidateHub } from './candidate-hub.ts';
import type { FeedbackAppConfig } from './feedback-config.ts';
import { errorResponse, jsonError } from './http-errors.ts';
import { adminLoginPage, adminPage } from './pages.ts';
import { qualityReport } from './quality.ts';
import type { RateLimiter } from './rate-limit.ts';
import { ADMIN_COOKIE, adminSession, clearCookie, CSRF_HEADER, newAdminSession, newSecret, sameOrigin, sameText, secretHash, setSessionCookie } from './security.ts';

/** Starts `hhrl pm train` on the store's current data; resolves with the command line it ran. */
export type StartTraining = () => Promise<{ readonly command: string }>;

/** What the admin routes need. */
export interface AdminDeps {
  readonly store: FeedbackStore;
  readonly hub: CandidateHub;
  readonly config: FeedbackAppConfig;
  readonly adminToken: string;
  /** Limits admin sign-in attempts (key `admin-login`). */
  readonly limiter: RateLimiter;
  readonly startTraining?: StartTraining;
  readonly now: () => Date;
}

const InviteSchema = z.object({ name: z.string().trim().min(1).max(100) }).strict();
const ExclusionSchema = z.object({ excluded: z.boolean() }).strict();
const EXPORT_FORMATS = ['hh', 'trl'] as const;

async function jsonBody<T>(context: Context, schema: z.ZodType<T>): Promise<T | Response> {
  const parsed = schema.safeParse(await context.req.json().catch(() => undefined));
  if (parsed.success) return parsed.data;
  return jsonError(context, 400, 'invalid', `${parsed.error.issues[0].path.join('.') || 'body'}: ${parsed.error.issues[0].message}`);
}

/** The admin pages and API, as an app to mount at `/`. */
export function adminRoutes(deps: AdminDeps): Hono {
  const app = new Hono();
  app.onError((error, context) => errorResponse(context, error));
  const { store, config, adminToken } = deps;
  const nowMs = () => deps.now().getTime();

  app.get('/admin', (context) => {
    const session = adminSession(context, adminToken, nowMs());
    return context.html(session === undefined ? adminLoginPage(false) : adminPage(session.csrfToken));
  });
  app.post('/admin/login', async (context) => {
    if (!sameOrigin(context)) return jsonError(context, 403, 'forbidden', 'cross-site sign-in refused');
    if (!deps.limiter.take('admin-login')) return jsonError(context, 429, 'rate-limited', 'too many sign-in attempts; wait a minute');
    const form = await context.req.parseBody();
    if (typeof form.token !== 'string' || !sameText(form.token, adminToken)) return context.html(adminLoginPage(true), 401);
    const maxAgeSeconds = config.sessionHours * 3600;
    const session = newAdminSession(adminToken, nowMs() + maxAgeSeconds * 1000);
    setSessionCookie(context, ADMIN_COOKIE, session.cookie, { maxAgeSeconds, secure: config.secureCookies });
    return context.redirect('/admin', 303);
  });

  const requireAdmin: MiddlewareHandler = async (context, next) => {
    const session = adminSession(context, adminToken, nowMs());
    if (session === undefined) return jsonError(context, 403, 'forbidden', 'admin sign-in required');
    if (context.req.method !== 'GET') {
      if (!sameOrigin(context)) return jsonError(context, 403, 'forbidden', 'cross-site request refused');
      if (!sameText(context.req.header(CSRF_HEADER) ?? '', session.csrfToken)) return jsonError(context, 403, 'csrf', `missing or wrong ${CSRF_HEADER} header`);
    }
    await next();
  };
  app.use('/admin/api/*', requireAdmin);
  app.post('/admin/logout', requireAdmin, (context) => {
    clearCookie(context, ADMIN_COOKIE, config.secureCookies);
    return context.json({ ok: true });
  });

  app.get('/admin/api/annotators', async (context) => {
    const [stats, labels, comparisons] = await Promise.all([store.annotatorStats(), store.reviewLabels(), store.comparisonCount()]);
    const quality = qualityReport(labels);
    return context.json({
      comparisons,
      generation: deps.hub.stats(),
      annotators: stats.map((annotator) => ({ ...annotator, quality: quality.get(annotator.id) ?? null })),
    });
  });
  app.post('/admin/api/invites', async (context) => {
    const body = await jsonBody(context, InviteSchema);
    if (body instanceof Response) return body;
    const secret = newSecret();
    const annotator = await store.createAnnotator({ id: `ann-${newSecret().slice(0, 10)}`, name: body.name, inviteHash: secretHash(secret) });
    return context.json({ id: annotator.id, name: annotator.name, path: `/join/${secret}` }, 201);
  });
  app.post('/admin/api/annotators/:id/exclusion', async (context) => {
    const body = await jsonBody(context, ExclusionSchema);
    if (body instanceof Response) return body;
    return context.json(await store.setExcluded(context.req.param('id'), body.excluded));
  });
  app.get('/admin/api/export', (context) => {
    const format = context.req.query('format') ?? 'hh';
    if (!(EXPORT_FORMATS as readonly string[]).includes(format)) return jsonError(context, 400, 'invalid', `format must be one of ${EXPORT_FORMATS.join(', ')}`);
    context.header('content-type', 'application/jsonl; charset=utf-8');
    context.header('content-disposition', `attachment; filename="feedback-${format}.jsonl"`);
    return stream(context, async (out) => {
      for await (const line of store.exportLines(format as (typeof EXPORT_FORMATS)[number])) await out.write(`${line}\n`);
    });
  });
  app.post('/admin/api/train', async (context) => {
    if (deps.startTraining === undefined) return jsonError(context, 501, 'unavailable', 'this server was started without a training command');
    return context.json(await deps.startTraining(), 202);
  });
  return app;
}
