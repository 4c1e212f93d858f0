import { createOpenAiApp } from '../../src/web/serve/openai-app.ts';
import { listen } from '../../src/web/serve/listen.ts';
import { createOpenAiTarget } from '../../src/redteam/targets/openai-target.ts';
import { createModelTarget } from '../../src/redteam/targets/model-target.ts';
import { runTargetContract } from './target-contract.ts';

runTargetContract('local model target', async (model) => ({
  target: createModelTarget(model, { generation: { maxTokens: 64, temperature: 0, stop: [] }, concurrency: 2 }),
  close: async () => {},
}));

runTargetContract('OpenAI-compatible target against hhrl serve on loopback', async (model) => {
  const server = await listen(createOpenAiApp(model, { apiKey: 'k-123' }), { port: 0 });
  const target = createOpenAiTarget(
    { baseUrl: `${server.url}/v1`, model: model.id, apiKeyEnv: 'TEST_KEY', maxRetries: 1, retryBaseMs: 1, concurrency: 4 },
    { env: { TEST_KEY: 'k-123' } },
  );
  return { target, close: () => server.close() };
});

runTargetContract('OpenAI-compatible target with the platform fetch injected', async (model) => {
  const server = await listen(createOpenAiApp(model), { port: 0 });
  const target = createOpenAiTarget({ baseUrl: `${server.url}/v1`, model: model.id, maxRetries: 0 }, { fetch: (input, init) => fetch(input, init) });
  return { target, close: () => server.close() };
});
