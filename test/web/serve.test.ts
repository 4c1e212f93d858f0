import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createOpenAiApp } from '../../src/web/serve/openai-app.ts';
import { listen, type RunningServer } from '../../src/web/serve/listen.ts';
import { messagesToConversation } from '../../src/web/serve/openai-schema.ts';
import { echoScript, scriptedModel } from '../redteam/scripted-model.ts';

const model = scriptedModel(echoScript, { id: 'hhrl-test', streaming: true });
const logged: string[] = [];
let server: RunningServer;
let open: RunningServer;

before(async () => {
  server = await listen(createOpenAiApp(model, { apiKey: 'secret', maxBodyBytes: 2000, createdAt: 1700000000 }), { port: 0 });
  const failing = scriptedModel((conversation) => (conversation.at(-1)!.text === 'fail' ? new Error('boom at /secret/path') : 'one two three'));
  open = await listen(createOpenAiApp(failing, { log: (line) => logged.push(line) }), { port: 0 });
});
after(async () => {
  await server.close();
  await open.close();
});

function post(base: RunningServer, body: unknown, headers: Record<string, string> = { authorization: 'Bearer secret' }): Promise<Response> {
  return fetch(`${base.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Parse a server-sent-events body into its data payloads. */
async function sseData(response: Response): Promise<string[]> {
  const text = await response.text();
  return text.split('\n\n').filter((block) => block.startsWith('data: ')).map((block) => block.slice('data: '.length));
}

test('GET /v1/models lists the served model', async () => {
  const response = await fetch(`${server.url}/v1/models`, { headers: { authorization: 'Bearer secret' } });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { object: 'list', data: [{ id: 'hhrl-test', object: 'model', created: 1700000000, owned_by: 'hhrl' }] });
});

test('non-streaming completion: messages mapped to HH turns, settings passed to the model', async () => {
  const response = await post(server, {
    model: 'hhrl-test',
    messages: [
      { role: 'system', content: 'Be kind.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: [{ type: 'text', text: 'Tell ' }, { type: 'text', text: 'me more' }] },
    ],
    max_tokens: 50,
    temperature: 0.7,
    stop: ['zzz'],
    seed: 9,
    user: 'ignored-extra-field',
  });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), {
    id: 'chatcmpl-1',
    created: 1700000000,
    model: 'hhrl-test',
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content: 'H:Be kind.\n\nHi|A:Hello!|H:Tell me more' }, finish_reason: 'stop' }],
    hhrl: { escaped_turn_markers: 0, dropped_prompt_tokens: null },
  });
  assert.deepEqual(model.calls.at(-1)!.options, { maxTokens: 50, temperature: 0.7, stop: ['zzz'], seed: 9 });
});

test('streaming completion: role chunk, content pieces, finish chunk, [DONE]', async () => {
  const response = await post(server, { model: 'hhrl-test', messages: [{ role: 'user', content: 'a b c' }], stream: true, max_tokens: 2 });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type')!, /^text\/event-stream/);
  const data = await sseData(response);
  assert.equal(data.at(-1), '[DONE]');
  const chunks = data.slice(0, -1).map((payload) => JSON.parse(payload));
  assert.ok(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.model === 'hhrl-test'));
  assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '' });
  const text = chunks.map((chunk) => chunk.choices[0].delta.content ?? '').join('');
  assert.equal(text, 'H:a b ');
  assert.equal(chunks.at(-1).choices[0].finish_reason, 'length');
});

test('a model without streaming still streams its completion as one piece', async () => {
  const response = await post(open, { model: 'scripted', messages: [{ role: 'user', content: 'x' }], stream: true });
  const data = await sseData(response);
  assert.deepEqual(data.slice(1, -2).map((payload) => JSON.parse(payload).choices[0].delta.content), ['one two three']);
});

test('request validation: clear 400s in the OpenAI error format', async () => {
  const cases: [unknown, RegExp][] = [
    ['{not json', /not valid JSON/],
    [{ messages: [{ role: 'user', content: 'x' }] }, /^model: /],
    [{ model: 'hhrl-test', messages: [] }, /^messages: /],
    [{ model: 'hhrl-test', messages: [{ role: 'tool', content: 'x' }] }, /^messages\.0\.role: /],
    [{ model: 'hhrl-test', messages: [{ role: 'user', content: 'x' }], temperature: 5 }, /^temperature: /],
    [{ model: 'hhrl-test', messages: [{ role: 'user', content: 'x' }], n: 2 }, /^n: /],
    [{ model: 'hhrl-test', messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: 'y' }] }, /last non-system message must have role "user"/],
    [{ model: 'hhrl-test', messages: [{ role: 'user', content: 'x' }], max_tokens: 99999 }, /max_tokens: at most 4096/],
  ];
  for (const [body, message] of cases) {
    const response = await post(server, body);
    assert.equal(response.status, 400, JSON.stringify(body));
    const json = (await response.json()) as { error: { message: string; type: string } };
    assert.match(json.error.message, message);
    assert.equal(json.error.type, 'invalid_request_error');
  }
  const wrongModel = await post(server, { model: 'gpt-4', messages: [{ role: 'user', content: 'x' }] });
  assert.equal(wrongModel.status, 404);
  assert.match(((await wrongModel.json()) as { error: { message: string } }).error.message, /model "gpt-4" is not served here; use "hhrl-test"/);
});

test('the API key is required when set, and compared exactly', async () => {
  const body = { model: 'hhrl-test', messages: [{ role: 'user', content: 'x' }] };
  assert.equal((await post(server, body, {})).status, 401);
  assert.equal((await post(server, body, { authorization: 'Bearer secret2' })).status, 401);
  assert.equal((await fetch(`${server.url}/v1/models`)).status, 401);
  assert.equal((await post(server, body)).status, 200);
  assert.equal((await post(open, { model: 'scripted', messages: [{ role: 'user', content: 'x' }] }, {})).status, 200);
});

test('bodies over the limit are rejected with 413 before the model runs', async () => {
  const calls = model.calls.length;
  const response = await post(server, { model: 'hhrl-test', messages: [{ role: 'user', content: 'x'.repeat(5000) }] });
  assert.equal(response.status, 413);
  assert.equal(model.calls.length, calls);
});

test('a failing model is a 500 (non-streaming) or an in-band error without [DONE] (streaming), its details only in the log', async () => {
  const plain = await post(open, { model: 'scripted', messages: [{ role: 'user', content: 'fail' }] });
  assert.equal(plain.status, 500);
  const message = ((await plain.json()) as { error: { message: string } }).error.message;
  assert.match(message, /^generation failed \(request chatcmpl-\d+; the server log has the details\)$/);
  assert.doesNotMatch(message, /boom|secret/);
  const streamed = await post(open, { model: 'scripted', messages: [{ role: 'user', content: 'fail' }], stream: true });
  const data = await sseData(streamed);
  assert.ok(!data.includes('[DONE]'));
  assert.match(data.at(-1)!, /"code":"generation_failed"/);
  assert.doesNotMatch(data.at(-1)!, /boom|secret/);
  assert.equal(logged.length, 2);
  assert.ok(logged.every((line) => line.includes('boom at /secret/path')));
  assert.equal((await fetch(`${open.url}/nope`)).status, 404);
});

test('messagesToConversation merges consecutive turns of one role', () => {
  assert.deepEqual(messagesToConversation([
    { role: 'user', content: 'a' },
    { role: 'user', content: 'b' },
  ]), { conversation: [{ role: 'human', text: 'a\n\nb' }], escapedMarkers: 0 });
});
