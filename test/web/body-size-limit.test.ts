import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { Hono } from 'hono';
import { bodySizeLimit } from '../../src/web/body-size-limit.ts';
import { listen } from '../../src/web/serve/listen.ts';

/** Send `body` to `url` (chunked when `chunked`, else with a Content-Length); resolve with the status and text. */
function send(url: string, method: string, body: string | undefined, chunked: boolean): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = chunked ? { 'transfer-encoding': 'chunked' } : body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
    const outgoing = request(url, { method, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, text }));
    });
    outgoing.on('error', reject);
    if (body !== undefined && chunked) for (let at = 0; at < body.length; at += 100) outgoing.write(body.slice(at, at + 100));
    outgoing.end(chunked ? undefined : body);
  });
}

test('bodySizeLimit: bodies up to the limit reach the handler whole, with or without a length; larger ones get the error answer', async () => {
  const app = new Hono();
  app.use('*', bodySizeLimit({ maxBytes: 1000, onError: (context) => context.text('too large', 413) }));
  app.post('/echo', async (context) => context.text(`read ${(await context.req.text()).length}`));
  app.get('/echo', (context) => context.text('no body'));
  const server = await listen(app, { port: 0 });
  try {
    const url = `${server.url}/echo`;
    assert.deepEqual(await send(url, 'POST', 'x'.repeat(1000), false), { status: 200, text: 'read 1000' });
    assert.deepEqual(await send(url, 'POST', 'x'.repeat(1001), false), { status: 413, text: 'too large' });
    assert.deepEqual(await send(url, 'POST', 'x'.repeat(1000), true), { status: 200, text: 'read 1000' });
    assert.deepEqual(await send(url, 'POST', 'x'.repeat(5000), true), { status: 413, text: 'too large' });
    assert.deepEqual(await send(url, 'POST', undefined, false), { status: 200, text: 'read 0' });
    assert.deepEqual(await send(url, 'GET', undefined, false), { status: 200, text: 'no body' });
  } finally {
    await server.close();
  }
});
