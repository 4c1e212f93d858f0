/**
 * Reverse-mode automatic differentiation over the symbolic graph: walks from a scalar loss back to
 * the requested tensors and emits the backward pass as more nodes of the same graph. Gradients of a
 * tensor used several times are summed.
 */
import { GraphError } from '../spec/errors.ts';
import { isFloat } from './dtype.ts';
import type { Tensor } from './graph.ts';
import { add } from './ops/elementwise.ts';
import { zeros } from './ops/nn.ts';

/**
 * d(loss)/d(t) for each t in `wrt`, as new tensors of the loss's graph. A tensor the loss does not
 * depend on gets zeros.
 * @param seed - gradient of the loss itself (defaults to 1).
 */
export function gradients(loss: Tensor, wrt: readonly Tensor[], seed?: Tensor): Tensor[] {
  if (loss.size !== 1 && seed === undefined) throw new GraphError('gradients: loss must be a scalar (or pass a seed)');
  // 1) every tensor the loss depends on, in reverse creation order (a reverse topological order)
  const reachable = new Map<number, Tensor>();
  const stack = [loss];
  while (stack.length > 0) {
    const tensor = stack.pop()!;
    if (reachable.has(tensor.id)) continue;
    reachable.set(tensor.id, tensor);
    for (const parent of tensor.parents) stack.push(parent);
  }
  // 2) which of them lie on a path to a tensor in `wrt`
  const targets = new Set(wrt.map((t) => t.id));
  const ordered = [...reachable.values()].sort((a, b) => a.id - b.id);
  const leadsToTarget = new Set<number>();
  for (const tensor of ordered) {
    if (targets.has(tensor.id) || tensor.parents.some((p) => leadsToTarget.has(p.id))) leadsToTarget.add(tensor.id);
  }
  // 3) propagate
  const grads = new Map<number, Tensor>();
  grads.set(loss.id, seed ?? loss.graph.scalar(1, loss.dtype));
  for (let i = ordered.length - 1; i >= 0; i--) {
    const tensor = ordered[i];
    const grad = grads.get(tensor.id);
    if (grad === undefined || tensor.vjp === undefined || !leadsToTarget.has(tensor.id)) continue;
    const needs = tensor.parents.map((p) => leadsToTarget.has(p.id) && isFloat(p.dtype));
    if (!needs.some(Boolean)) continue;
    const parentGrads = tensor.vjp(grad, needs);
    tensor.parents.forEach((parent, index) => {
      const contribution = parentGrads[index];
      if (!needs[index] || contribution === undefined) return;
      const previous = grads.get(parent.id);
      grads.set(parent.id, previous === undefined ? contribution : add(previous, contribution));
    });
  }
  return wrt.map((t) => grads.get(t.id) ?? zeros(t, t.shape));
}
