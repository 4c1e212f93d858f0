/**
 * Secrets, cookies and request checks of the feedback app. Secrets are 256-bit random base64url strings; the
 * store keeps only their SHA-256, so a copy of the database signs nobody in. The admin's cookie is an HMAC of its
 * expiry under the admin token, so admin sign-ins survive a restart without a table.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

/** Cookie of an annotator's session. */
export const SESSION_COOKIE = 'hhrl_fb_session';
/** Cookie of the admin's session. */
export const ADMIN_COOKIE = 'hhrl_fb_admin';
/** Header every write must carry with the page's CSRF token. */
export const CSRF_HEADER = 'x-csrf-token';

/** A new random secret (256 bits, base64url). */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Whether `text` has the form of a secret made by {@link newSecret}. */
export function isSecret(text: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(text);
}

/** SHA-256 of a secret, hex: what the store keeps. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time equality of two strings. */
export function sameText(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right) && a.length === b.length;
}

/** Set a session cookie: HttpOnly, SameSite=Strict, Path=/, Secure when asked. */
export function setSessionCookie(context: Context, name: string, value: string, options: { maxAgeSeconds: number; secure: boolean }): void {
  setCookie(context, name, value, { httpOnly: true, sameSite: 'Strict', path: '/', maxAge: Math.floor(options.maxAgeSeconds), secure: options.secure });
}

/** Clear a cookie. */
export function clearCookie(context: Context, name: string, secure: boolean): void {
  setCookie(context, name, '', { httpOnly: true, sameSite: 'Strict', path: '/', maxAge: 0, secure });
}

/**
 * Whether a browser request comes from this site: a present `Origin` (or, without it, `Referer`) must name the
 * host the request was sent to. Requests without either (non-browser clients) pass; they carry no ambient cookie
 * a forger could use, and writes still need the CSRF token.
 */
export function sameOrigin(context: Context): boolean {
  const host = context.req.header('host');
  const origin = context.req.header('origin') ?? context.req.header('referer');
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** The admin's session: a cookie value and the CSRF token that goes with it. */
export interface AdminSession {
  readonly cookie: string;
  readonly csrfToken: string;
}

function hmac(key: string, text: string): string {
  return createHmac('sha256', key).update(text).digest('base64url');
}

/** A new admin session valid until `expiresAtMs`. */
export function newAdminSession(adminToken: string, expiresAtMs: number): AdminSession {
  const cookie = `${expiresAtMs}.${hmac(adminToken, `admin:${expiresAtMs}`)}`;
  return { cookie, csrfToken: hmac(adminToken, `csrf:${cookie}`) };
}

/** The admin session of this request, or undefined when its cookie is missing, forged or expired. */
export function adminSession(context: Context, adminToken: string, nowMs: number): AdminSession | undefined {
  const cookie = getCookie(context, ADMIN_COOKIE);
  if (cookie === undefined) return undefined;
  const [expiry, signature] = cookie.split('.');
  const expiresAtMs = Number(expiry);
  if (!Number.isFinite(expiresAtMs) || expiresAtMs <= nowMs || signature === undefined) return undefined;
  if (!sameText(signature, hmac(adminToken, `admin:${expiry}`))) return undefined;
  return { cookie, csrfToken: hmac(adminToken, `csrf:${cookie}`) };
}
