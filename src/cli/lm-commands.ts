/**
 * `hhrl lm train` and `hhrl lm sample`.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { GenerateOptionsSchema } from '../model/generate.ts';
import { GptModel } from '../model/gpt-model.ts';
import { LmTrainConfigSchema } from '../train/lm/lm-config.ts';
import { trainLanguageModel } from '../train/lm/lm-trainer.ts';
import { resolveModelDir } from '../train/run-folder.ts';
import { logNote, progressBar } from './progress.ts';
import { addSchemaOptions, parseSchemaOptions, typedOptions } from './zod-options.ts';
import { interruptible } from './interrupt.ts';

const SampleSchema = GenerateOptionsSchema.extend({
  prompt: z.string().describe('text to continue'),
  samples: z.number().int().min(1).max(256).default(1).describe('continuations to draw'),
}).strict();

/** Register the `lm` command group. */
export function registerLmCommands(program: Command): void {
  const lm = program.command('lm').description('pretrain and sample small GPT language models');

  const train = lm
    .command('train')
    .description('pretrain a GPT on a text file (BPE tokenizer trained on the text); resumable')
    .requiredOption('--out <dir>', 'run folder (config.json, metrics.jsonl, checkpoints/)')
    .option('--resume', 'continue the run in --out from its newest checkpoint');
  addSchemaOptions(train, LmTrainConfigSchema);
  train.action(async (raw: Record<string, unknown>, command: Command) => {
    const config = parseSchemaOptions(LmTrainConfigSchema, raw);
    const bar = progressBar('lm train', config.steps, ['loss', 'val', 'tok_s']);
    const result = await interruptible((signal) =>
      trainLanguageModel({ ...typedOptions(command, config), text: config.text }, String(raw.out), {
        resume: Boolean(raw.resume),
        signal,
        log: logNote,
        onProgress: (p) =>
          bar.update(p.step, { loss: p.loss.toFixed(3), val: p.validationLoss?.toFixed(3) ?? '-', tok_s: Math.round(p.tokensPerSecond) }),
      }),
    ).finally(() => bar.stop());
    process.stdout.write(
      `trained ${result.model.layout.total.toLocaleString('en-US')} parameters: loss ${result.finalLoss.toFixed(4)}` +
        `${result.validationLoss === undefined ? '' : `, validation ${result.validationLoss.toFixed(4)}`}\ncheckpoint ${result.checkpointDir}\n`,
    );
  });

  const sample = lm
    .command('sample')
    .description('continue a prompt with a trained model (a checkpoint or a run folder)')
    .requiredOption('--model <dir>', 'checkpoint folder or run folder');
  addSchemaOptions(sample, SampleSchema, ['eosId', 'chunk', 'rowSeeds']);
  sample.action(async (raw: Record<string, unknown>) => {
    const { prompt: text, samples, ...generation } = parseSchemaOptions(SampleSchema, raw);
    const { model } = GptModel.load(resolveModelDir(String(raw.model)));
    const prompt = model.tokenizer.encode(text);
    const prompts = Array.from({ length: samples }, () => prompt);
    const eos = model.tokenizer.addedTokenId('<|endoftext|>') ?? -1;
    const generations = await model.generate(prompts, { ...generation, eosId: eos });
    for (const row of generations) process.stdout.write(`${text}${row.text}\n${'-'.repeat(40)}\n`);
    await model.release();
  });
}
