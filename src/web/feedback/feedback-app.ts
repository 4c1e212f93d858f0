/**
 * `hhrl feedback serve`'s HTTP app: the annotator pages and API (`annotator-routes.ts`), the admin pages and API
 * (`admin-routes.ts`) and the static scripts, behind a body-size limit and strict security headers (a Content
 * Security Policy that allows only this site's scripts, so even a stray piece of markup could not run code).
 */
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { FeedbackStore } from '../../data/store/feedback-store.ts';
import type { ChatModel } from '../../spec/chat-target.ts';
import { bodySizeLimit } from '../body-size-limit.ts';
import { ConfigError } from '../../spec/errors.ts';
import { adminRoutes, type StartTraining } from './admin-routes.ts';
import { annotatorRoutes } from './annotator-routes.ts';
import { CandidateHub } from './candidate-hub.ts';
import { FeedbackAppConfigSchema, type FeedbackAppConfig } from './feedback-config.ts';
import { errorResponse, jsonError } from './http-errors.ts';
import { STATIC_FILES } from './pages.ts';
import { RateLimiter } from './rate-limit.ts';

/** What the app is built from. */
export interface FeedbackAppOptions {
  readonly store: FeedbackStore;
  /** Policies that write the candidate replies (one policy is sampled twice). */
  readonly policies: readonly ChatModel[];
  /** Secret of the admin pages; at least 16 characters. */
  readonly adminToken: string;
  readonly config?: Partial<FeedbackAppConfig>;
  /** Starts `hhrl pm train` on the store (the admin's train button); absent: the button answers 501. */
  readonly startTraining?: StartTraining;
  /** Wall clock (a process boundary; tests pass a fixed one). */
  readonly now?: () => Date;
}

/** The built app and its generation hub (for counters). */
export interface FeedbackApp {
  readonly app: Hono;
  readonly hub: CandidateHub;
  readonly config: FeedbackAppConfig;
}

/**
 * Build the app.
 * @throws ConfigError for a short admin token, no policy or invalid settings.
 * @example
 * const { app } = createFeedbackApp({ store: SqliteFeedbackStore.open('feedback.sqlite'), policies: [model], adminToken });
 * const server = await listen(app, { port: 8080 });
 */
export function createFeedbackApp(options: FeedbackAppOptions): FeedbackApp {
  const parsed = FeedbackAppConfigSchema.safeParse(options.config ?? {});
  if (!parsed.success) throw new ConfigError(`feedback app settings: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  const config = parsed.data;
  if (options.adminToken.length < 16) throw new ConfigError('the admin token must have at least 16 characters');
  if (options.policies.length === 0) throw new ConfigError('give at least one policy to write the replies');
  const now = options.now ?? (() => new Date());
  const hub = new CandidateHub(options.store, options.policies, config);
  const app = new Hono();
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'"], connectSrc: ["'self'"],
        formAction: ["'self'"], frameAncestors: ["'none'"], baseUri: ["'none'"],
      },
      referrerPolicy: 'same-origin',
    }),
  );
  app.use('*', bodySizeLimit({ maxBytes: config.maxBodyBytes, onError: (context) => jsonError(context, 413, 'too-large', `request body over ${config.maxBodyBytes} bytes`) }));
  app.get('/static/:file', (context) => {
    const file = STATIC_FILES.get(context.req.param('file'));
    if (file === undefined) return jsonError(context, 404, 'not-found', 'no such file');
    context.header('cache-control', 'no-cache');
    return context.body(file.body, 200, { 'content-type': file.type });
  });
  const limiter = new RateLimiter(config.ratePerMinute, config.rateBurst);
  app.route('/', annotatorRoutes({ store: options.store, hub, config, limiter, now }));
  app.route('/', adminRoutes({
    store: options.store, hub, config, adminToken: options.adminToken, limiter: new RateLimiter(10, 10), startTraining: options.startTraining, now,
  }));
  app.notFound((context) => jsonError(context, 404, 'not-found', `no route ${context.req.method} ${context.req.path}`));
  app.onError((error, context) => errorResponse(context, error));
  return { app, hub, config };
}
