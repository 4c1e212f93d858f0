/**
 * `hhrl online collect` — one round of online comparison collection (Bai et al. 2022 §4.5): sample the
 * current policy (and a partner, e.g. π₀) on a world prompt pool and have the world's annotators compare the
 * responses. The round folder feeds `hhrl pm train --data online:DIR` (with `--init` from the last PM) and
 * `hhrl pm eval --data online:DIR` (how well a PM ranks the policy's own samples, by the oracle's gold).
 */
import type { Command } from 'commander';
import { GptModel } from '../model/gpt-model.ts';
import { collectComparisons, CollectConfigSchema } from '../online/collect.ts';
import { worldLabeler } from '../online/pair-labeler.ts';
import { ConfigError } from '../spec/errors.ts';
import { loadPrompts, worldDirOf } from '../data/specs/prompts.ts';
import { resolveModelDir } from '../train/run-folder.ts';
import { loadWorld, writeRound } from '../world/index.ts';
import { progressBar } from './progress.ts';
import { addSchemaOptions, parseSchemaOptions } from './zod-options.ts';
import { registerOnlineRunCommand } from './online-run-command.ts';

const out = (line: string) => process.stdout.write(`${line}\n`);
const percent = (value: number | null) => (value === null ? '—' : `${(100 * value).toFixed(1)}%`);

/** Register `hhrl online collect` and `hhrl online run`. */
export function registerOnlineCommands(program: Command): void {
  const online = program.command('online').description('iterated online training (Bai et al. 2022 §4.5): comparisons collected on the current policy');
  const command = online
    .command('collect')
    .description('sample two responses per world prompt (policy and partner) and have the world\'s annotators label them; writes a round folder')
    .requiredOption('--policy <dir>', 'current policy (checkpoint or run folder, e.g. an rl ppo run)')
    .option('--partner <dir>', 'model that writes the second response (e.g. the SFT policy π₀; default: a second sample of --policy)')
    .requiredOption('--prompts <spec>', 'world prompt pool: world:DIR (train pool) or world:DIR:test')
    .requiredOption('--out <dir>', 'round folder to write (helpful/harmless HH files, metadata, collect.json)');
  addSchemaOptions(command, CollectConfigSchema);
  command.action(async (raw: Record<string, unknown>) => {
    const config = parseSchemaOptions(CollectConfigSchema, raw);
    const spec = String(raw.prompts);
    const worldDir = worldDirOf(spec);
    if (worldDir === undefined || spec.endsWith(':eval')) throw new ConfigError(`--prompts ${spec}: expected a world prompt pool, world:DIR or world:DIR:test (annotators need the world's requests)`);
    const world = loadWorld(worldDir);
    const policyDir = resolveModelDir(String(raw.policy));
    const policy = GptModel.load(policyDir).model;
    const partnerDir = raw.partner === undefined ? undefined : resolveModelDir(String(raw.partner));
    const partner = partnerDir === undefined ? undefined : GptModel.load(partnerDir).model;
    const started = performance.now();
    const bar = progressBar('collect', 2 * config.pairs, []);
    const { comparisons, stats } = await collectComparisons(
      { policy, policyId: policyDir, ...(partner === undefined ? {} : { partner, partnerId: partnerDir }) },
      loadPrompts(spec),
      worldLabeler(world.population()),
      config,
      (done) => bar.update(done),
    );
    bar.stop();
    const seconds = (performance.now() - started) / 1000;
    writeRound(String(raw.out), comparisons, { config, policy: policyDir, partner: partnerDir ?? null, prompts: spec, stats, seconds });
    out(`round ${config.round}: ${stats.comparisons} comparisons from ${stats.prompts} prompts in ${seconds.toFixed(1)} s → ${String(raw.out)}`);
    out(`  helpful ${stats.byTask.helpful}, harmless ${stats.byTask.harmless}; dropped: ${stats.identical} identical, ${stats.multiTurn} multi-turn`);
    out(`  oracle ties ${stats.goldTies} (${percent(stats.goldTies / Math.max(1, stats.comparisons))}); labels agreeing with the oracle on the rest: ${percent(stats.goldAgreement)}`);
    await policy.release();
    await partner?.release();
  });
  registerOnlineRunCommand(online);
}
