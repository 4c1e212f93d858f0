/**
 * The compiled update step of an RL run: the algorithm's loss (plus γ × the ptx term, PPO-ptx), preceded for
 * the run's first iterations by the algorithm's warm-up loss (e.g. PPO's critic warm-up). Both take the same
 * minibatch shape; at the switch the same weights and optimizer state continue under the algorithm's loss.
 */
import { GraphTrainer, type BatchSpec, type HostTensor, type LossBuilder, type OptimizerState, type StepResult } from '../../engine/index.ts';
import type { GptModel } from '../../model/gpt-model.ts';
import { actionBatchSpec } from './policy-graph.ts';
import { ptxBatchSpec, withPtx } from './ptx.ts';
import type { RlAlgorithm } from './rl-algorithm.ts';
import { rlOptimizer, type RlCommonConfig } from './rl-config.ts';

/** The update graph of an RL run, switching from the warm-up's loss to the algorithm's at the warm-up's end. */
export class RlUpdateGraph<C extends RlCommonConfig, A extends string> {
  private trainer: GraphTrainer;
  private warming: boolean;
  private readonly spec: BatchSpec;
  private readonly warmup: { readonly iterations: number; readonly loss: LossBuilder } | null;
  private readonly algorithmLoss: () => LossBuilder;

  /**
   * @param withPtxTerm - the minibatches carry demonstrations: every step of the algorithm's own loss adds γ × their
   * LM loss; a warm-up's steps take them with γ = 0, so the warm-up leaves π where it is.
   */
  constructor(
    private readonly policy: GptModel,
    algorithm: RlAlgorithm<C, A>,
    private readonly config: C,
    shape: { readonly length: number; readonly withPtxTerm: boolean },
    state: OptimizerState,
    step: number,
  ) {
    this.spec = {
      ...actionBatchSpec(config.miniBatchSize, shape.length, algorithm.actionArrays),
      ...(shape.withPtxTerm ? ptxBatchSpec(config.ptxBatch, shape.length) : {}),
    };
    this.warmup = algorithm.warmup?.(policy.config, config) ?? null;
    this.warming = step < (this.warmup?.iterations ?? 0);
    const ptx = (loss: LossBuilder, coef: number) => (shape.withPtxTerm ? withPtx(loss, policy.config, coef) : loss);
    this.algorithmLoss = () => ptx(algorithm.loss(policy.config, config), config.ptxCoef);
    this.trainer = this.compile(this.warming ? ptx(this.warmup!.loss, 0) : this.algorithmLoss(), state);
  }

  private compile(loss: LossBuilder, state: OptimizerState): GraphTrainer {
    return new GraphTrainer(this.policy.layout, this.spec, loss, rlOptimizer(this.config), state, { threads: this.config.threads });
  }

  /** The weights and optimizer state now. */
  get state(): OptimizerState {
    return this.trainer.state;
  }

  /** Before iteration `step`: once the warm-up's iterations are done, continue under the algorithm's own loss. */
  async beginIteration(step: number): Promise<void> {
    if (!this.warming || step < (this.warmup?.iterations ?? 0)) return;
    const state = this.trainer.state;
    await this.trainer.release();
    this.trainer = this.compile(this.algorithmLoss(), state);
    this.warming = false;
  }

  /** One optimizer step on one minibatch. */
  step(batches: readonly Readonly<Record<string, HostTensor>>[]): Promise<StepResult> {
    return this.trainer.step(batches);
  }

  async release(): Promise<void> {
    await this.trainer.release();
  }
}
