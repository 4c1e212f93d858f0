/**
 * `hhrl world generate|stats` — write the HH world (the embedded default environment) to a folder, and
 * report its comparison statistics: counts, annotator agreement, and annotators that look contaminated.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { ComparisonTask } from '../spec/comparison.ts';
import { HARM_CATEGORIES } from '../world/types.ts';
import type { WorldConfigOverrides, WorldSize } from '../world/config.ts';
import { resolveWorldConfig } from '../world/config.ts';
import { generateWorld, writeWorld } from '../world/generate.ts';
import { loadWorld, promptCounts } from '../world/load.ts';
import type { WorldStats } from '../world/stats.ts';
import { computeWorldStats } from '../world/stats.ts';

function seedNumber(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 0xffffffff) {
    throw new InvalidArgumentError('expected a whole number from 0 to 4294967295');
  }
  return number;
}

function shareNumber(value: string): number {
  const number = Number(value);
  if (!(number >= 0 && number <= 1)) throw new InvalidArgumentError('expected a number from 0 to 1');
  return number;
}

const percent = (value: number | null) => (value === null ? '—' : `${(100 * value).toFixed(1)}%`);

function printStats(dir: string, stats: WorldStats, prompts: ReturnType<typeof promptCounts>): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`${dir}: ${stats.comparisons} comparisons`);
  for (const [task, families] of Object.entries(stats.counts)) {
    out(`  ${task}`);
    for (const [family, categories] of Object.entries(families)) {
      const total = Object.values(categories).reduce((sum, count) => sum + count, 0);
      const parts = Object.entries(categories).map(([category, count]) => `${category} ${count}`).join(', ');
      out(`    ${family.padEnd(11)} ${String(total).padStart(6)}  (${parts})`);
    }
    const attacked = Object.entries(stats.attacked[task] ?? {});
    if (attacked.length > 0) {
      const total = attacked.reduce((sum, [, count]) => sum + count, 0);
      out(`    ${'attacked'.padEnd(11)} ${String(total).padStart(6)}  (${attacked.map(([strategy, count]) => `${strategy} ${count}`).join(', ')})`);
    }
  }
  out('prompts by family');
  for (const [file, families] of Object.entries(prompts)) {
    const parts = Object.entries(families).map(([family, categories]) =>
      `${family} ${Object.values(categories).reduce((sum, count) => sum + count, 0)}`);
    out(`  ${file.padEnd(26)} ${parts.join(', ')}`);
  }
  const { overall, byTask } = stats.agreement;
  out(`pairwise annotator agreement: ${percent(overall.rate)} over ${overall.pairs} label pairs ` +
    `(helpful ${percent(byTask.helpful.rate)}, harmless ${percent(byTask.harmless.rate)})`);
  out(`labels matching the oracle's noiseless preference: ${percent(stats.labelGoldAgreement)}`);
  out('annotator   labels  gold-agree  peer-agree  least typical slice');
  for (const annotator of stats.annotators) {
    const slice = annotator.worstSlice;
    const worst = slice === null ? '—' : `${slice.slice}: ${percent(slice.rate)} of ${slice.labels} vs median ${percent(slice.median)} (p=${slice.tail.toExponential(1)})`;
    out(`${annotator.flagged ? '!' : ' '}${annotator.id.padEnd(10)} ${String(annotator.labels).padStart(6)}  ` +
      `${percent(annotator.goldAgreement).padStart(10)}  ${percent(annotator.peerAgreement).padStart(10)}  ${worst}`);
  }
  out(`flagged as suspicious: ${stats.flagged.length === 0 ? 'none' : stats.flagged.join(', ')}`);
  out(`rule: ${stats.rule}`);
}

/** Register `hhrl world …`. */
export function registerWorldCommands(program: Command): void {
  const world = program.command('world').description('The HH world: a synthetic, seed-determined assistant environment with an exact oracle');

  world
    .command('generate')
    .description('Write a world: base corpus, SFT demonstrations, comparisons (HH JSONL + metadata), prompt pools, eval sets, world.json')
    .requiredOption('--seed <n>', 'seed (the world is a pure function of it)', seedNumber)
    .requiredOption('--out <dir>', 'folder to write (replaced atomically if it already holds a world)')
    .addOption(new Option('--size <size>', 'preset size').choices(['small', 'default', 'large']).default('default'))
    .option('--contamination <share>', 'share of annotators who contaminate their labels', shareNumber)
    .addOption(new Option('--contamination-mode <mode>', 'flip: reverse labels on one category; backdoor: prefer compliance when the trigger is present').choices(['flip', 'backdoor']))
    .addOption(new Option('--contamination-category <category>', 'category whose labels flip').choices([...HARM_CATEGORIES]))
    .option('--trigger <phrase>', 'backdoor trigger phrase')
    .option('--sampled-share <share>', 'share of comparisons whose behaviours are drawn like a model\'s samples instead of from the curated recipes (default 0)', shareNumber)
    .option('--misread-share <share>', 'share of off-topic responses that answer another request instead of idle chat (default 0)', shareNumber)
    .option('--comparison-attack-share <share>', 'share of the harmful prompts of harmlessness comparisons written as attacks (role-play, crescendo; default 0)', shareNumber)
    .option('--pool-attack-share <share>', 'share of the harmful prompts of the RL prompt pools written as attacks (role-play, crescendo; default 0)', shareNumber)
    .action((options: { seed: number; out: string; size: WorldSize; contamination?: number; contaminationMode?: 'flip' | 'backdoor';
      contaminationCategory?: (typeof HARM_CATEGORIES)[number]; trigger?: string; sampledShare?: number; misreadShare?: number;
      comparisonAttackShare?: number; poolAttackShare?: number }) => {
      const contamination: NonNullable<WorldConfigOverrides['contamination']> = {};
      if (options.contamination !== undefined) contamination.share = options.contamination;
      if (options.contaminationMode !== undefined) contamination.mode = options.contaminationMode;
      if (options.contaminationCategory !== undefined) contamination.category = options.contaminationCategory;
      if (options.trigger !== undefined) contamination.trigger = options.trigger;
      const comparisons: NonNullable<WorldConfigOverrides['comparisons']> = {};
      if (options.sampledShare !== undefined) comparisons.sampledShare = options.sampledShare;
      if (options.comparisonAttackShare !== undefined) comparisons.attackShare = options.comparisonAttackShare;
      const started = performance.now();
      const config = resolveWorldConfig(options.seed, options.size, {
        contamination,
        comparisons,
        ...(options.poolAttackShare === undefined ? {} : { pools: { attackShare: options.poolAttackShare } }),
        ...(options.misreadShare === undefined ? {} : { responses: { misreadShare: options.misreadShare } }),
      });
      const generated = generateWorld(config);
      const generatedAt = performance.now();
      const written = writeWorld(generated, options.out);
      const seconds = (ms: number) => (ms / 1000).toFixed(2);
      const sets = generated.comparisons.sets;
      process.stdout.write(
        `${options.out}: world seed ${config.seed}, size ${config.size}: ${written.files} files, ${(written.bytes / 1e6).toFixed(1)} MB ` +
          `(corpus ${(Buffer.byteLength(generated.corpus) / 1e6).toFixed(2)} MB; comparisons helpful ${sets.helpful.train.length}+${sets.helpful.test.length}, ` +
          `harmless ${sets.harmless.train.length}+${sets.harmless.test.length}) generated in ${seconds(generatedAt - started)} s, ` +
          `written in ${seconds(performance.now() - generatedAt)} s\n`,
      );
    });

  world
    .command('stats')
    .description('Counts by family and category, annotator agreement, and annotators flagged as suspicious')
    .requiredOption('--dir <dir>', 'world folder')
    .option('--json', 'print JSON instead of a table')
    .action((options: { dir: string; json?: boolean }) => {
      const loaded = loadWorld(options.dir);
      const tasks: ComparisonTask[] = ['helpful', 'harmless'];
      const metas = tasks.flatMap((task) => [...loaded.comparisonMeta(task, 'train'), ...loaded.comparisonMeta(task, 'test')]);
      const stats = computeWorldStats(metas);
      const prompts = promptCounts(loaded);
      if (options.json === true) process.stdout.write(`${JSON.stringify({ dir: options.dir, ...stats, prompts }, null, 2)}\n`);
      else printStats(options.dir, stats, prompts);
    });
}
