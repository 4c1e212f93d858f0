/**
 * `hhrl serve --model DIR --port N` — an OpenAI-compatible server (`/v1/models`, `/v1/chat/completions`, SSE
 * streaming) for an hhrl checkpoint, so any tool can red-team hhrl models.
 */
import type { Command } from 'commander';
import { ConfigError } from '../spec/errors.ts';
import { loadChatModelFolder } from '../web/model-folder.ts';
import { assertSafeExposure } from '../web/serve/exposure.ts';
import { createOpenAiApp, SERVE_DEFAULTS } from '../web/serve/openai-app.ts';
import { listen } from '../web/serve/listen.ts';
import { port, positiveInteger, wholeNumber } from './number-options.ts';

interface ServeFlags {
  model: string;
  port: number;
  host: string;
  apiKeyEnv?: string;
  maxBodyBytes: number;
  maxTokensLimit: number;
  maxConcurrent: number;
  maxQueued: number;
  insecure?: boolean;
}

/** Register `hhrl serve`. */
export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description('serve an hhrl checkpoint over an OpenAI-compatible API (/v1/models, /v1/chat/completions, SSE)')
    .requiredOption('--model <dir>', 'checkpoint folder or run folder (its newest checkpoint)')
    .option('--port <n>', 'TCP port (0: any free port)', port, 8000)
    .option('--host <address>', 'address to listen on (loopback by default; any other needs --api-key-env or --insecure)', '127.0.0.1')
    .option('--api-key-env <name>', 'require "Authorization: Bearer $NAME" on every request')
    .option('--insecure', 'allow a non-loopback --host without an API key (anyone who reaches it can use the model)')
    .option('--max-concurrent <n>', 'generations that run at once', positiveInteger, SERVE_DEFAULTS.maxConcurrent)
    .option('--max-queued <n>', 'requests that wait for a generation; more get 429 with Retry-After', wholeNumber, SERVE_DEFAULTS.maxQueued)
    .option('--max-body-bytes <n>', 'largest request body', positiveInteger, SERVE_DEFAULTS.maxBodyBytes)
    .option('--max-tokens-limit <n>', 'largest max_tokens a request may ask for', positiveInteger, SERVE_DEFAULTS.maxTokensLimit)
    .action(async (flags: ServeFlags) => {
      let apiKey: string | undefined;
      if (flags.apiKeyEnv !== undefined) {
        apiKey = process.env[flags.apiKeyEnv];
        if (apiKey === undefined || apiKey === '') throw new ConfigError(`environment variable ${flags.apiKeyEnv} (the API key) is not set`);
      }
      assertSafeExposure(flags.host, { insecure: flags.insecure === true, ...(apiKey === undefined ? {} : { apiKey }) });
      const model = loadChatModelFolder(flags.model, '--model');
      const app = createOpenAiApp(model, {
        maxBodyBytes: flags.maxBodyBytes,
        maxTokensLimit: flags.maxTokensLimit,
        maxConcurrent: flags.maxConcurrent,
        maxQueued: flags.maxQueued,
        createdAt: Math.floor(Date.now() / 1000),
        log: (line) => process.stderr.write(`${line}\n`),
        ...(apiKey === undefined ? {} : { apiKey }),
      });
      const server = await listen(app, { port: flags.port, hostname: flags.host });
      process.stderr.write(`hhrl serve: ${model.id} at ${server.url}/v1${apiKey === undefined ? '' : ' (API key required)'}; Ctrl-C stops\n`);
      await new Promise<void>((resolve) => process.once('SIGINT', resolve));
      await server.close();
    });
}
