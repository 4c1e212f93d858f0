/**
 * A `fetch` for the POST requests targets make, built on `node:http`/`node:https` with keep-alive agents.
 * Node 20's built-in fetch (undici) managed ~1,000 requests/s against a loopback server on the 2-core machine
 * where this was measured, `node:http` with keep-alive ~4,000; the runner's throughput goal needs the latter.
 * Same contract as fetch for what targets use: method, headers, string body, abort signal; the body is read in
 * full before the promise resolves, and a connection dropped mid-body rejects it.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 256 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 256 });

function headersOf(init: RequestInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(init?.headers).forEach((value, key) => {
    out[key] = value;
  });
  return out;
}

function responseHeaders(message: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [key, value] of Object.entries(message.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(key, item);
  }
  return headers;
}

/** `fetch`-compatible POST/GET over node:http(s) with keep-alive. */
export const nodeHttpFetch: typeof fetch = (input, init) => {
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  const secure = url.protocol === 'https:';
  const body = init?.body;
  if (body !== undefined && body !== null && typeof body !== 'string') {
    return Promise.reject(new TypeError('nodeHttpFetch sends string bodies only'));
  }
  return new Promise<Response>((resolve, reject) => {
    const signal = init?.signal ?? undefined;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const request = (secure ? httpsRequest : httpRequest)(
      url,
      { method: init?.method ?? 'GET', headers: headersOf(init), agent: secure ? httpsAgent : httpAgent },
      (message) => {
        const chunks: Buffer[] = [];
        message.on('data', (chunk: Buffer) => chunks.push(chunk));
        message.on('aborted', () => reject(new TypeError('fetch failed', { cause: new Error('the connection closed before the body was complete') })));
        message.on('error', (error) => reject(new TypeError('fetch failed', { cause: error })));
        message.on('end', () => {
          if (!message.complete) return; // 'aborted' rejected already
          const status = message.statusCode ?? 0;
          const payload = status === 204 || status === 304 ? null : Buffer.concat(chunks);
          resolve(new Response(payload, { status, statusText: message.statusMessage, headers: responseHeaders(message) }));
        });
      },
    );
    const onAbort = () => request.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('close', () => signal?.removeEventListener('abort', onAbort));
    request.on('error', (error) => reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: error })));
    request.end(body ?? undefined);
  });
};
