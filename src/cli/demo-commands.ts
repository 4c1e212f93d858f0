/**
 * `hhrl demo`: the main job on the embedded default. Today: pretrain a small GPT on the text the
 * package ships (`assets/demo-corpus.txt`) and sample from it. Issue 5 grows it into the whole
 * pipeline (world → base LM → SFT → preference model → PPO → evaluation → report).
 */
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { trainLanguageModel } from '../train/lm/lm-trainer.ts';
import { progressBar } from './progress.ts';

const CORPUS = fileURLToPath(new URL('../../assets/demo-corpus.txt', import.meta.url));

/** Register `hhrl demo`. */
export function registerDemoCommands(program: Command): void {
  program
    .command('demo')
    .description('run the main job on the embedded default (resumable)')
    .option('--out <dir>', 'run folder', 'runs/demo')
    .option('--seed <n>', 'seed', (value: string) => Number(value), 0)
    .option('--steps <n>', 'pretraining steps', (value: string) => Number(value), 300)
    .action(async (options: { out: string; seed: number; steps: number }) => {
      const started = performance.now();
      const bar = progressBar('pretrain', options.steps, ['loss']);
      const result = await trainLanguageModel(
        { text: CORPUS, size: 'tiny', vocabSize: 512, steps: options.steps, batchSize: 16, seed: options.seed, checkpointEvery: 100 },
        `${options.out}/lm`,
        { resume: (await import('node:fs')).existsSync(`${options.out}/lm/config.json`), onProgress: (p) => bar.update(p.step, { loss: p.loss.toFixed(3) }) },
      );
      bar.stop();
      const prompts = ['Human: What is seven plus five?\n\nAssistant:', 'Human: Tell me a short story about a river.\n\nAssistant:'];
      const generations = await result.model.generate(
        prompts.map((prompt) => result.model.tokenizer.encode(`\n\n${prompt}`)),
        { maxNewTokens: 48, temperature: 0.7, topK: 40, seed: options.seed, stop: ['\n\nHuman:'] },
      );
      prompts.forEach((prompt, i) => process.stdout.write(`${prompt}${generations[i].text}\n\n`));
      process.stdout.write(`loss ${result.finalLoss.toFixed(3)}, ${((performance.now() - started) / 60000).toFixed(1)} minutes; run folder ${options.out}\n`);
      await result.model.release();
    });
}
