/**
 * The annotator's side of the app (Bai et al. 2022 §2.2): sign in with an invite link, start a conversation
 * under a task, send a message, receive replies A and B as server-sent events, pick on the strength scale.
 * Every `/api` route needs a session; every write also needs the session's CSRF token, a same-origin request
 * and a token from the annotator's rate-limit bucket. An annotator only ever sees their own conversations.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { containsTurnMarker } from '../../data/hh-transcript.ts';
import { FEEDBACK_TASKS, FEEDBACK_TASK_IDS, STRENGTH_SCALE, type FeedbackTask } from '../../data/store/feedback-scale.ts';
import type { FeedbackStore, ReviewItem, SessionInfo } from '../../data/store/feedback-store.ts';
import { hashString32, Random } from '../../util/random.ts';
import type { CandidateHub } from './candidate-hub.ts';
import type { FeedbackAppConfig } from './feedback-config.ts';
import { errorResponse, jsonError } from './http-errors.ts';
import { annotatorPage, joinPage, signedOutPage } from './pages.ts';
import type { RateLimiter } from './rate-limit.ts';
import { clearCookie, CSRF_HEADER, isSecret, newSecret, sameOrigin, sameText, secretHash, SESSION_COOKIE, setSessionCookie } from './security.ts';

/** Context variables of a signed-in request. */
export type AnnotatorEnv = { Variables: { session: SessionInfo } };

/** What the annotator routes need. */
export interface AnnotatorDeps {
  readonly store: FeedbackStore;
  readonly hub: CandidateHub;
  readonly config: FeedbackAppConfig;
  readonly limiter: RateLimiter;
  readonly now: () => Date;
}

const NewConversationSchema = z.object({ task: z.enum(FEEDBACK_TASK_IDS as [string, ...string[]]) }).strict();
const MessageSchema = z.object({ text: z.string().min(1) }).strict();
const PickSchema = z
  .object({
    turn: z.number().int().min(0),
    scale: z.number().int().min(1).max(6),
    idempotencyKey: z.string().min(8).max(100),
    latencyMs: z.number().min(0).max(86_400_000),
  })
  .strict();

async function parseBody<T>(context: Context, schema: z.ZodType<T>): Promise<T | Response> {
  let body: unknown;
  try {
    body = await context.req.json();
  } catch {
    return jsonError(context, 400, 'invalid', 'the request body is not valid JSON');
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return jsonError(context, 400, 'invalid', `${issue.path.join('.') || 'body'}: ${issue.message}`);
}

/** A seeded yes/no with probability `share`, fixed by the app's seed and `label`. */
export function drawShare(seed: number, label: string, share: number): boolean {
  return new Random(hashString32(`${seed}:${label}`)).next() < share;
}

/** The signed-in session of a request's cookie, if any. */
type SessionLookup = (context: Context) => Promise<SessionInfo | undefined>;

function sessionLookup(store: FeedbackStore): SessionLookup {
  return async (context) => {
    const cookie = getCookie(context, SESSION_COOKIE);
    return cookie === undefined || !isSecret(cookie) ? undefined : store.session(secretHash(cookie));
  };
}

/** The pages and sign-in: `/`, the invite link's `/join/:secret` and the form it posts to `/join`. */
function signInRoutes(app: Hono<AnnotatorEnv>, deps: AnnotatorDeps, sessionOf: SessionLookup): void {
  const { store, config } = deps;
  app.get('/', async (context) => {
    const session = await sessionOf(context);
    return context.html(session === undefined ? signedOutPage() : annotatorPage(session.csrfToken));
  });
  app.get('/join/:secret', (context) => {
    const secret = context.req.param('secret');
    return isSecret(secret) ? context.html(joinPage(secret)) : context.html(signedOutPage(), 404);
  });
  app.post('/join', async (context) => {
    if (!sameOrigin(context)) return jsonError(context, 403, 'forbidden', 'cross-site sign-in refused');
    const form = await context.req.parseBody();
    const secret = typeof form.secret === 'string' ? form.secret : '';
    const annotator = isSecret(secret) ? await store.annotatorByInvite(secretHash(secret)) : undefined;
    if (annotator === undefined) return context.html(signedOutPage(), 403);
    const token = newSecret();
    const maxAgeSeconds = config.sessionHours * 3600;
    await store.createSession({
      tokenHash: secretHash(token), annotatorId: annotator.id, csrfToken: newSecret(),
      expiresAt: new Date(deps.now().getTime() + maxAgeSeconds * 1000).toISOString(),
    });
    setSessionCookie(context, SESSION_COOKIE, token, { maxAgeSeconds, secure: config.secureCookies });
    return context.redirect('/', 303);
  });
}

/** A session is needed; a write also needs the same origin, the session's CSRF token and a rate-limit token. */
function requireSession(limiter: RateLimiter, sessionOf: SessionLookup): MiddlewareHandler<AnnotatorEnv> {
  return async (context, next) => {
    const session = await sessionOf(context);
    if (session === undefined) return jsonError(context, 401, 'unauthenticated', 'sign in with your invite link first');
    if (context.req.method !== 'GET') {
      if (!sameOrigin(context)) return jsonError(context, 403, 'forbidden', 'cross-site request refused');
      if (!sameText(context.req.header(CSRF_HEADER) ?? '', session.csrfToken)) return jsonError(context, 403, 'csrf', `missing or wrong ${CSRF_HEADER} header`);
      if (!limiter.take(session.annotator.id)) return jsonError(context, 429, 'rate-limited', 'too many requests; wait a moment');
    }
    context.set('session', session);
    await next();
  };
}

/** The conversation `:id` when it is the signed-in annotator's (another's reads as missing). */
async function ownConversation(store: FeedbackStore, context: Context<AnnotatorEnv>) {
  const conversation = await store.conversation(context.req.param('id') ?? '');
  return conversation !== undefined && conversation.annotatorId === context.get('session').annotator.id ? conversation : undefined;
}

const notFound = (context: Context) => jsonError(context, 404, 'not-found', 'no such conversation of yours');

/** Who the annotator is and what they may do; their conversations, and starting one (with a review item mixed in at `reviewShare`). */
function conversationRoutes(app: Hono<AnnotatorEnv>, { store, config }: AnnotatorDeps): void {
  app.get('/api/me', (context) => {
    const { annotator } = context.get('session');
    const tasks = Object.fromEntries(FEEDBACK_TASK_IDS.map((id) => [id, { title: FEEDBACK_TASKS[id].title, instruction: FEEDBACK_TASKS[id].instruction, question: FEEDBACK_TASKS[id].question }]));
    return context.json({ id: annotator.id, name: annotator.name, tasks, scale: STRENGTH_SCALE.map(({ value, label }) => ({ value, label })), maxMessageChars: config.maxMessageChars });
  });
  app.get('/api/conversations', async (context) => context.json({ conversations: await store.conversations(context.get('session').annotator.id) }));
  app.get('/api/conversations/:id', async (context) => {
    const conversation = await ownConversation(store, context);
    return conversation === undefined ? notFound(context) : context.json(conversation);
  });
  app.post('/api/conversations', async (context) => {
    const body = await parseBody(context, NewConversationSchema);
    if (body instanceof Response) return body;
    const annotatorId = context.get('session').annotator.id;
    const task = body.task as FeedbackTask;
    const id = newSecret().slice(0, 22);
    // Known-answer and overlap items are mixed into the queue at `reviewShare`, and a `repeatShare` of those draws
    // shows again an item the annotator reviewed before, sides swapped (the draws are functions of the id).
    let item: ReviewItem | undefined;
    let repeat = false;
    if (drawShare(config.seed, id, config.reviewShare)) {
      if (drawShare(config.seed, `repeat:${id}`, config.repeatShare)) repeat = (item = await store.nextRepeat(annotatorId, task)) !== undefined;
      item ??= await store.nextItem(annotatorId, task);
    }
    return context.json(await store.createConversation({ id, annotatorId, task, ...(item === undefined ? {} : { item, repeat }) }), 201);
  });
}

/** One turn of a conversation: the message, replies A and B streamed as server-sent events, the pick; and its end. */
function turnRoutes(app: Hono<AnnotatorEnv>, { store, hub, config }: AnnotatorDeps): void {
  app.post('/api/conversations/:id/messages', async (context) => {
    const body = await parseBody(context, MessageSchema);
    if (body instanceof Response) return body;
    if (body.text.length > config.maxMessageChars) return jsonError(context, 400, 'invalid', `a message may have at most ${config.maxMessageChars} characters`);
    if (containsTurnMarker(body.text)) return jsonError(context, 400, 'invalid', 'a message may not contain "\\n\\nHuman: " or "\\n\\nAssistant: "');
    const conversation = await ownConversation(store, context);
    if (conversation === undefined) return notFound(context);
    return context.json(await store.setPending(conversation.id, body.text));
  });
  app.post('/api/conversations/:id/candidates', async (context) => {
    const conversation = await ownConversation(store, context);
    if (conversation === undefined) return notFound(context);
    if (conversation.pending === null) return jsonError(context, 409, 'conflict', 'send a message first');
    return streamSSE(context, async (stream) => {
      for await (const event of hub.events(conversation)) await stream.writeSSE({ data: JSON.stringify(event) });
    });
  });
  app.post('/api/conversations/:id/picks', async (context) => {
    const body = await parseBody(context, PickSchema);
    if (body instanceof Response) return body;
    const conversationId = context.req.param('id');
    const result = await store.submitPick({
      ...body, annotatorId: context.get('session').annotator.id, conversationId, source: config.source, round: config.round,
      shareAsOverlap: drawShare(config.seed, `${conversationId}:${body.turn}`, config.overlapShare),
    });
    return context.json(result, result.replayed ? 200 : 201);
  });
  app.post('/api/conversations/:id/end', async (context) => {
    const conversation = await ownConversation(store, context);
    if (conversation === undefined) return notFound(context);
    return context.json(await store.endConversation(conversation.id));
  });
}

/** The annotator pages and API, as an app to mount at `/`. */
export function annotatorRoutes(deps: AnnotatorDeps): Hono<AnnotatorEnv> {
  const app = new Hono<AnnotatorEnv>();
  app.onError((error, context) => errorResponse(context, error));
  const sessionOf = sessionLookup(deps.store);
  signInRoutes(app, deps, sessionOf);
  const guard = requireSession(deps.limiter, sessionOf);
  app.use('/api/*', guard);
  app.post('/logout', guard, async (context) => {
    await deps.store.deleteSession(secretHash(getCookie(context, SESSION_COOKIE)!));
    clearCookie(context, SESSION_COOKIE, deps.config.secureCookies);
    return context.json({ ok: true });
  });
  conversationRoutes(app, deps);
  turnRoutes(app, deps);
  return app;
}
