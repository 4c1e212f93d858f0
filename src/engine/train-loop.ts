/**
 * Several whole training steps in one `session.run`: an ONNX `Loop` whose loop-carried state is the
 * flat weights and the two Adam moments, and whose body is the fused step (forward, loss, backward,
 * AdamW) on the iteration's batch. The state crosses the JS/ORT boundary once per run instead of
 * once per step — onnxruntime-node copies every output into a fresh JS buffer, which for the three
 * flat state tensors of the reference GPT (3 × 3.5 MB) costs about as much as a tenth of a step.
 */
import { attr, Graph, type Tensor } from './graph.ts';
import { gradients } from './autodiff.ts';
import { cast } from './ops/elementwise.ts';
import { adamwUpdate, type AdamWConfig } from './optim.ts';
import type { ParamLayout } from './params.ts';
import type { BatchSpec, LossBuilder } from './train-step.ts';

/** Names of the per-step outputs (each [steps]) of a loop graph besides `metric_*`. */
export const LOOP_STEP_OUTPUTS = ['loss', 'lr', 'grad_norm'] as const;

/**
 * `steps` fused training steps as one graph. Inputs: params, m, v (flat), `step` (float32, steps
 * finished before this run) and every batch input of `spec` with a leading [steps] axis. Outputs:
 * params_out, m_out, v_out after the last step, and loss, lr, grad_norm, metric_* as [steps].
 */
export function buildTrainLoopGraph(
  layout: ParamLayout,
  spec: BatchSpec,
  buildLoss: LossBuilder,
  optimizer: AdamWConfig,
  steps: number,
): Graph {
  const outer = new Graph('train_loop');
  const n = [layout.total];
  const params = outer.input('params', 'float32', n);
  const m = outer.input('m', 'float32', n);
  const v = outer.input('v', 'float32', n);
  const done = outer.input('step', 'float32', []);
  const stacked = Object.entries(spec).map(([name, value]) => ({
    name,
    spec: value,
    tensor: outer.input(name, value.dtype, [steps, ...value.shape]),
  }));

  const body = new Graph('train_loop_step', 'step/');
  const iteration = body.input('iteration', 'int64', []);
  const condIn = body.input('cond_in', 'bool', []);
  const flat = body.input('params_in', 'float32', n);
  const mIn = body.input('m_in', 'float32', n);
  const vIn = body.input('v_in', 'float32', n);
  const batch: Record<string, Tensor> = {};
  for (const input of stacked) {
    batch[input.name] = body.emit1('Gather', [body.capture(input.tensor), iteration], input.spec.shape, input.spec.dtype, {
      attributes: { axis: attr.int(0) },
    });
  }
  const bound = layout.bind(flat);
  const { loss, metrics = {} } = buildLoss(body, bound, batch);
  const names = layout.entries.map((entry) => entry.name);
  const grads = gradients(loss, names.map((name) => bound[name]));
  const grad = layout.flatten(Object.fromEntries(names.map((name, i) => [name, grads[i]])));
  const step = body.emit1('Add', [body.capture(done), body.emit1('Add', [cast(iteration, 'float32'), body.scalar(1)], [], 'float32')], [], 'float32');
  const decayMask = body.constant(layout.decayMask(), 'float32', n, 'decay_mask');
  const update = adamwUpdate(body, optimizer, { params: flat, grad, m: mIn, v: vIn, step, decayMask });
  body.output(condIn, 'cond_out');
  body.output(update.params, 'params_next');
  body.output(update.m, 'm_next');
  body.output(update.v, 'v_next');
  const perStep: [string, Tensor][] = [
    ['loss', loss],
    ['lr', update.learningRate],
    ['grad_norm', update.gradNorm],
    ...Object.entries(metrics).map(([name, tensor]): [string, Tensor] => [`metric_${name}`, tensor]),
  ];
  for (const [name, tensor] of perStep) body.output(tensor, `${name}_step`);

  const outputs = outer.emit(
    'Loop',
    [outer.constant(BigInt64Array.of(BigInt(steps)), 'int64', [], 'trips'), outer.constant(Uint8Array.of(1), 'bool', [], 'cond'), params, m, v],
    [
      { shape: n, dtype: 'float32' },
      { shape: n, dtype: 'float32' },
      { shape: n, dtype: 'float32' },
      ...perStep.map(([, tensor]) => ({ shape: [steps, ...tensor.shape], dtype: tensor.dtype })),
    ],
    { attributes: { body: attr.graph(body.body()) } },
  );
  outer.output(outputs[0], 'params_out');
  outer.output(outputs[1], 'm_out');
  outer.output(outputs[2], 'v_out');
  perStep.forEach(([name], i) => outer.output(outputs[3 + i], name));
  return outer;
}
