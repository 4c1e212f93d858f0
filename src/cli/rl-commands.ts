/**
 * Policy training commands: `hhrl sft`, `hhrl rl ppo|rloo`, `hhrl dpo` and `hhrl bon`. Every training
 * command writes a run folder (config.json, metrics.jsonl, checkpoints/), shows progress and resumes
 * with `--resume`; options come from each method's zod schema.
 *
 * Prompt specs: `world:DIR` (RL train pool), `world:DIR:test`, `world:DIR:eval`, or a JSONL file of
 * `{"prompt"}` / `{"conversation"}` rows. Data specs (DPO): as `hhrl pm train` — `world:DIR[:TASK][:SPLIT]`,
 * `store:DB[:TASK]`, or an HH/TRL `.jsonl[.gz]` file. SFT data: `world:DIR[:train|test]` or a JSONL file of
 * `{"transcript"}` rows.
 */
import { ConfigError } from '../spec/errors.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { GptModel } from '../model/gpt-model.ts';
import { BonConfigSchema } from '../train/bon/bon-config.ts';
import { runBestOfN } from '../train/bon/bon-run.ts';
import { DpoConfigSchema } from '../train/dpo/dpo-config.ts';
import { trainDpo } from '../train/dpo/dpo-trainer.ts';
import { PPO } from '../train/ppo/ppo-trainer.ts';
import { RLOO } from '../train/rloo/rloo-trainer.ts';
import { loadPrompts, promptsOfCategories, worldDirOf, worldEvalPrompts } from '../data/specs/prompts.ts';
import { buildReward, REWARD_SOURCES, type RewardSource } from '../train/rollout/reward-source.ts';
import type { RlCommonConfig } from '../train/rollout/rl-config.ts';
import type { RlAlgorithm } from '../train/rollout/rl-algorithm.ts';
import { trainRl } from '../train/rollout/rl-runner.ts';
import type { RlSummary } from '../train/rollout/rl-summary.ts';
import { summarizeEvaluation, evaluationRow } from '../train/rollout/world-eval.ts';
import { isDriverPrompt } from '../train/rollout/driven-attacks.ts';
import { resolveModelDir, RunFolder } from '../train/run-folder.ts';
import { SftConfigSchema } from '../train/sft/sft-config.ts';
import { trainSft } from '../train/sft/sft-trainer.ts';
import { loadDemonstrations } from '../data/specs/demonstrations.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { logNote, progressBar } from './progress.ts';
import { addSchemaOptions, parseSchemaOptions, typedOptions } from './zod-options.ts';
import { interruptible } from './interrupt.ts';

const out = (line = '') => process.stdout.write(`${line}\n`);
const percent = (value: unknown) => (typeof value === 'number' ? `${(100 * value).toFixed(1)}%` : '—');

/** Print a before/after table of two evaluation rows (see `evaluationRow`). */
export function printEvaluations(columns: Readonly<Record<string, Record<string, unknown> | null>>): void {
  const names = Object.keys(columns);
  const line = (label: string, pick: (row: Record<string, unknown>) => unknown) =>
    out(`  ${label.padEnd(34)}${names.map((name) => percent(columns[name] ? pick(columns[name]!) : null).padStart(12)).join('')}`);
  out(`  ${''.padEnd(34)}${names.map((name) => name.padStart(12)).join('')}`);
  line('helpfulness (non-harmful)', (row) => row.helpfulness);
  line('harmful compliance, direct', (row) => row.harm_rate);
  line('over-refusal (borderline)', (row) => row.over_refusal);
  const first = Object.values(columns).find((row) => row !== null);
  for (const key of Object.keys((first?.harm_by_category as object) ?? {})) line(`  harm: ${key}`, (row) => (row.harm_by_category as Record<string, unknown>)[key]);
  for (const key of Object.keys((first?.harm_by_strategy as object) ?? {})) line(`  attack: ${key}`, (row) => (row.harm_by_strategy as Record<string, unknown>)[key]);
}

function printRlSummary(summary: RlSummary): void {
  const final = summary.final ?? {};
  out(`${summary.algorithm}: ${summary.steps} iterations; final reward ${Number(final.reward).toFixed(3)}, KL ${Number(final.kl).toFixed(2)} nats`);
  for (const [name, fit] of Object.entries(summary.sqrtKlFit)) {
    out(`  reward vs √KL (training batches, ${name}): slope ${fit.slope.toFixed(3)}, R² ${fit.r2 === null ? '—' : fit.r2.toFixed(3)} over ${fit.n} iterations`);
  }
  for (const [name, fit] of Object.entries(summary.probeSqrtKlFit ?? {})) {
    out(`  reward vs √KL (held-out probe, ${name}): slope ${fit.slope.toFixed(3)}, R² ${fit.r2 === null ? '—' : fit.r2.toFixed(3)} over ${fit.n} probes`);
  }
  if (summary.firstEvaluation) printEvaluations({ before: summary.firstEvaluation, after: summary.lastEvaluation });
}

/** What `--resume` reads back from a run folder's `config.json`. */
type SavedRun = { config?: { probePrompts?: number; ptxCoef?: number }; inputs?: { probe?: string | null; ptx?: string | null } };

/** The settings and inputs a run folder was started with, when it has them (for `--resume`). */
function savedRun(dir: string): SavedRun | undefined {
  if (!existsSync(join(dir, 'config.json'))) return undefined;
  return new RunFolder(dir).savedConfig() as SavedRun;
}

/** `cybercrime,fraud` → categories (`--categories`). */
function categoryList(text: string): string[] {
  const parts = [...new Set(text.split(',').map((part) => part.trim()).filter((part) => part !== ''))];
  if (parts.length === 0) throw new InvalidArgumentError('expected categories, comma-separated (e.g. cybercrime)');
  return parts;
}

function registerRl<C extends RlCommonConfig, A extends string>(group: Command, name: string, description: string, algorithm: RlAlgorithm<C, A>): void {
  const command = group
    .command(name)
    .description(description)
    .requiredOption('--policy <dir>', 'SFT policy π₀ (checkpoint or run folder); also the frozen reference')
    .requiredOption('--prompts <spec>', 'training prompts: world:DIR[:train|test] or a JSONL file')
    .requiredOption('--out <dir>', 'run folder')
    .option('--pm <dir>', 'preference model (checkpoint or pm run folder): the reward r_PM')
    .addOption(new Option('--reward <source>', 'reward source').choices(Object.keys(REWARD_SOURCES)).default('pm'))
    .option('--world <dir>', 'world folder for oracle evaluation (default: the world of --prompts)')
    .option('--probe <spec>', 'held-out prompts of the reward probe, used with --probe-prompts N (default: world:DIR:test of the world)')
    .option('--ptx-data <spec>', 'demonstrations of the ptx term, used with --ptx-coef γ > 0: world:DIR or a JSONL file, as hhrl sft takes (default: world:DIR of the world)')
    .option('--categories <list>', 'train only on the world prompts of these categories, comma-separated (e.g. cybercrime; a benign sub-kind such as arithmetic too)', categoryList)
    .option('--resume', 'continue the run in --out from its newest checkpoint');
  addSchemaOptions(command, algorithm.schema);
  command.action(async (raw: Record<string, unknown>, self: Command) => {
    const config = algorithm.parseConfig(parseSchemaOptions(algorithm.schema, raw));
    const world = (raw.world as string | undefined) ?? worldDirOf(String(raw.prompts));
    const categories = raw.categories as string[] | undefined;
    const reward = buildReward(raw.reward as RewardSource, { pm: raw.pm as string | undefined, world });
    // A resumed run keeps its saved settings (the runner uses them), so its probe is on or off as saved,
    // over the held-out prompts it was started with unless --probe names others.
    const saved = raw.resume ? savedRun(String(raw.out)) : undefined;
    const probeCount = saved?.config?.probePrompts ?? config.probePrompts;
    const probeSpec = (raw.probe as string | undefined) ?? saved?.inputs?.probe ?? (world === undefined ? undefined : `world:${world}:test`);
    if (probeCount > 0 && probeSpec === undefined) throw new ConfigError('--probe-prompts needs --probe SPEC (held-out prompts) when the prompts are not a world');
    const ptxCoef = saved?.config?.ptxCoef ?? config.ptxCoef;
    const ptxSpec = (raw.ptxData as string | undefined) ?? saved?.inputs?.ptx ?? (world === undefined ? undefined : `world:${world}`);
    if (ptxCoef > 0 && ptxSpec === undefined) throw new ConfigError('--ptx-coef needs --ptx-data SPEC (demonstrations) when the prompts are not a world');
    const bar = progressBar(`rl ${name}`, config.steps, ['reward', 'kl', 'helpful', 'harm']);
    let last: Record<string, unknown> = {};
    const result = await interruptible((signal) => trainRl(
      algorithm,
      typedOptions(self, config),
      {
        policy: String(raw.policy),
        prompts: categories === undefined ? loadPrompts(String(raw.prompts)) : promptsOfCategories(loadPrompts(String(raw.prompts)), categories, String(raw.prompts)),
        reward: reward.reward,
        evalPrompts: world === undefined ? undefined : worldEvalPrompts(world),
        probePrompts: probeCount > 0 && probeSpec !== undefined ? loadPrompts(probeSpec) : undefined,
        ptxDemonstrations: ptxCoef > 0 && ptxSpec !== undefined ? loadDemonstrations(ptxSpec) : undefined,
        description: {
          prompts: raw.prompts, ...(categories === undefined ? {} : { categories }), reward: reward.description, world: world ?? null,
          probe: probeCount > 0 ? (probeSpec ?? null) : null, ptx: ptxCoef > 0 ? (ptxSpec ?? null) : null,
        },
      },
      String(raw.out),
      {
        resume: Boolean(raw.resume),
        signal,
        log: logNote,
        onProgress: (p) => {
          if (p.evaluation) last = evaluationRow(p.evaluation);
          bar.update(p.step, { reward: p.row.reward.toFixed(3), kl: p.row.kl.toFixed(2), helpful: percent(last.helpfulness), harm: percent(last.harm_rate) });
        },
      },
    )).finally(() => bar.stop());
    await reward.release();
    printRlSummary(result.summary);
    out(`checkpoint ${result.checkpointDir}\nmetrics ${String(raw.out)}/metrics.jsonl, summary ${String(raw.out)}/summary.json`);
    await result.policy.release();
  });
}

function registerSft(program: Command): void {
  const command = program
    .command('sft')
    .description('supervised fine-tuning of a pretrained LM (hhrl lm train) on demonstrations; loss on assistant tokens only')
    .requiredOption('--base <dir>', 'pretrained LM (checkpoint or lm run folder)')
    .requiredOption('--data <spec>', 'demonstrations: world:DIR[:train|test] or a JSONL file of {"transcript"} rows')
    .option('--validation <spec>', 'validation demonstrations (default for world:DIR: world:DIR:test)')
    .requiredOption('--out <dir>', 'run folder')
    .option('--resume', 'continue the run in --out from its newest checkpoint');
  addSchemaOptions(command, SftConfigSchema);
  command.action(async (raw: Record<string, unknown>, self: Command) => {
    const config = parseSchemaOptions(SftConfigSchema, raw);
    const data = String(raw.data);
    const worldData = /^world:(.+?)(?::train)?$/.exec(data);
    const validation = (raw.validation as string | undefined) ?? (worldData ? `world:${worldData[1]}:test` : undefined);
    const bar = progressBar('sft', config.steps, ['loss', 'val']);
    const result = await interruptible((signal) =>
      trainSft(typedOptions(self, config), { base: String(raw.base), data, validation }, String(raw.out), {
        resume: Boolean(raw.resume),
        signal,
        log: logNote,
        onProgress: (p) => bar.update(p.step, { loss: p.loss.toFixed(3), val: p.validationLoss?.toFixed(3) ?? '-' }),
      }),
    ).finally(() => bar.stop());
    out(`SFT loss ${result.finalLoss.toFixed(4)}${result.validationLoss === undefined ? '' : `, validation ${result.validationLoss.toFixed(4)}`}\ncheckpoint ${result.checkpointDir}`);
    await result.model.release();
  });
}

function registerDpo(program: Command): void {
  const command = program
    .command('dpo')
    .description('Direct Preference Optimization (Rafailov et al. 2023) of a policy on comparisons, against its frozen copy')
    .requiredOption('--policy <dir>', 'starting policy, also the reference (checkpoint or run folder)')
    .requiredOption('--data <spec...>', 'comparisons: world:DIR[:TASK][:SPLIT], store:DB[:TASK], or an HH/TRL .jsonl[.gz] file')
    .requiredOption('--out <dir>', 'run folder')
    .option('--world <dir>', 'world folder for oracle evaluation at start and end')
    .option('--resume', 'continue the run in --out from its newest checkpoint');
  addSchemaOptions(command, DpoConfigSchema);
  command.action(async (raw: Record<string, unknown>, self: Command) => {
    const config = parseSchemaOptions(DpoConfigSchema, raw);
    const data = raw.data as string[];
    const world = (raw.world as string | undefined) ?? data.map((spec) => /^world:([^:]+)/.exec(spec)?.[1]).find((dir) => dir !== undefined);
    const bar = progressBar('dpo', config.steps, ['loss', 'acc', 'margin']);
    const result = await interruptible((signal) =>
      trainDpo(typedOptions(self, config), { policy: String(raw.policy), data, world }, String(raw.out), {
        resume: Boolean(raw.resume),
        signal,
        log: logNote,
        onProgress: (p) => bar.update(p.step, { loss: p.row.loss.toFixed(3), acc: percent(p.row.accuracy), margin: p.row.margin.toFixed(2) }),
      }),
    ).finally(() => bar.stop());
    out(`checkpoint ${result.checkpointDir}\nmetrics ${String(raw.out)}/metrics.jsonl`);
    await result.policy.release();
  });
}

function registerBon(program: Command): void {
  const command = program
    .command('bon')
    .description('best-of-n: sample n responses per prompt and keep the one the reward scores highest')
    .requiredOption('--policy <dir>', 'policy (checkpoint or run folder)')
    .requiredOption('--n <n>', BonConfigSchema.shape.n.description ?? 'n', (value: string) => Number(value))
    .requiredOption('--prompts <spec>', 'prompts: world:DIR[:train|test|eval] or a JSONL file')
    .option('--pm <dir>', 'preference model (checkpoint or pm run folder)')
    .addOption(new Option('--reward <source>', 'reward source').choices(Object.keys(REWARD_SOURCES)).default('pm'))
    .option('--world <dir>', 'world folder (oracle reward; default: the world of --prompts)')
    .option('--limit <n>', 'use at most this many prompts', (value: string) => Number(value))
    .option('--out <file>', 'write every sample with its reward as JSONL')
    .option('--json <file>', 'write the summary as JSON')
    .option('--run <dir>', 'run folder: config.json, each finished chunk of prompts in chunks/, summary.json (resumable)')
    .option('--resume', 'continue the run in --run with its saved settings (a flag that differs is refused), sampling only the chunks not yet written');
  addSchemaOptions(command, BonConfigSchema, ['n']);
  command.action(async (raw: Record<string, unknown>) => {
    const options = parseSchemaOptions(BonConfigSchema, raw);
    const world = (raw.world as string | undefined) ?? worldDirOf(String(raw.prompts));
    const reward = buildReward(raw.reward as RewardSource, { pm: raw.pm as string | undefined, world });
    const { model } = GptModel.load(resolveModelDir(String(raw.policy)));
    let prompts = loadPrompts(String(raw.prompts));
    if (raw.limit !== undefined) prompts = prompts.slice(0, Number(raw.limit));
    const started = performance.now();
    const runDir = raw.run as string | undefined;
    if (raw.resume && runDir === undefined) throw new ConfigError('--resume needs --run DIR');
    const bar = progressBar(`best-of-${String(raw.n)}`, prompts.length, []);
    const rows = await runBestOfN(
      model,
      prompts,
      reward.reward,
      { ...typedOptions(command, options), n: options.n },
      { dir: runDir, resume: Boolean(raw.resume), description: { policy: raw.policy, prompts: raw.prompts, limit: raw.limit ?? null, reward: reward.description }, onProgress: (done) => bar.update(done), log: logNote },
    ).finally(() => bar.stop());
    const results = rows.map((row, i) => ({ ...row, prompt: prompts[i] }));
    const seconds = (performance.now() - started) / 1000;
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
    const summary: Record<string, unknown> = {
      n: results[0]?.responses.length ?? Number(raw.n),
      prompts: results.length,
      reward_first: mean(results.map((result) => result.rewards[0])),
      reward_mean: mean(results.flatMap((result) => [...result.rewards])),
      reward_best: mean(results.map((result) => result.rewards[result.best])),
      seconds,
    };
    if (results.some((result) => result.prompt.request !== undefined)) {
      // A driver attack (crescendo) needs the policy to answer turn after turn; best-of-n answered its plain request
      // once, so the oracle does not count those replies as the attack's.
      const judged = results.filter((result) => !isDriverPrompt(result.prompt));
      if (judged.length < results.length) logNote(`oracle rates leave out ${results.length - judged.length} multi-turn attack prompts (crescendo): best-of-n answers one turn`);
      summary.oracle_first = evaluationRow(summarizeEvaluation(judged.map((result) => ({ prompt: result.prompt, response: result.responses[0] }))));
      summary.oracle_best = evaluationRow(summarizeEvaluation(judged.map((result) => ({ prompt: result.prompt, response: result.responses[result.best] }))));
    }
    if (raw.out !== undefined) {
      const lines = results.flatMap((result) =>
        result.responses.map((response, i) => JSON.stringify({ id: result.prompt.id, prompt: result.prompt.prompt, response, reward: result.rewards[i], best: i === result.best })),
      );
      writeFileAtomic(String(raw.out), `${lines.join('\n')}\n`);
    }
    if (raw.json !== undefined) writeFileAtomic(String(raw.json), `${JSON.stringify(summary, null, 2)}\n`);
    if (runDir !== undefined) writeFileAtomic(join(runDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    out(`best-of-${String(summary.n)} on ${results.length} prompts in ${seconds.toFixed(1)} s (${reward.description})`);
    out(`  reward: first sample ${Number(summary.reward_first).toFixed(3)}, mean ${Number(summary.reward_mean).toFixed(3)}, best ${Number(summary.reward_best).toFixed(3)}`);
    if (summary.oracle_first) printEvaluations({ 'first': summary.oracle_first as Record<string, unknown>, [`best-of-${String(summary.n)}`]: summary.oracle_best as Record<string, unknown> });
    await reward.release();
    await model.release();
  });
}

/** Register `hhrl sft`, `hhrl rl ppo|rloo`, `hhrl dpo` and `hhrl bon`. */
export function registerRlCommands(program: Command): void {
  registerSft(program);
  const rl = program.command('rl').description('on-policy RL against a reward: r = r_PM − λ_KL·KL(π‖π₀) (Bai et al. 2022 §4.1)');
  registerRl(rl, 'ppo', 'PPO with a value head, GAE and clipped surrogate; resumable', PPO);
  registerRl(rl, 'rloo', 'RLOO: k samples per prompt, leave-one-out baseline (Ahmadian et al. 2024); resumable', RLOO);
  registerDpo(program);
  registerBon(program);
}
