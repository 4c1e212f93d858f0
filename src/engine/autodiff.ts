/**
 * Reverse-mode automatic differentiation over the symbolic graph: walks from a scalar loss back to
 * the requested tensors and emits the backward pass as more nodes of the same graph. Gradients of a
 * tensor used several times are summed. The outputs of a node with a multi-output rule (`OutputGroup`,
 * e.g. Split) are differentiated together, once every one of their gradients is complete.
 */
import { GraphError } from '../spec/errors.ts';
import { isFloat } from './dtype.ts';
import type { Tensor } from './graph.ts';
import { add } from './ops/elementwise.ts';
import { zeros } from './ops/shape.ts';

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
    // siblings share the parents; ordering them too lets the group's rule run at its first output
    for (const sibling of tensor.group?.outputs ?? []) stack.push(sibling);
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
    if (!leadsToTarget.has(tensor.id)) continue;
    const group = tensor.group;
    // A group's outputs are created together and consumed only later, so in reverse order its first
    // output comes after every consumer of any of them: all output gradients are final there.
    if (group !== undefined && group.outputs[0] !== tensor) continue;
    const outputGrads = group === undefined ? [grads.get(tensor.id)] : group.outputs.map((output) => grads.get(output.id));
    if (outputGrads.every((grad) => grad === undefined)) continue;
    const single = tensor.vjp;
    if (group === undefined && single === undefined) continue;
    const needs = tensor.parents.map((p) => leadsToTarget.has(p.id) && isFloat(p.dtype));
    if (!needs.some(Boolean)) continue;
    const parentGrads = group !== undefined ? group.vjp(outputGrads, needs) : single!(outputGrads[0] as Tensor, needs);
    tensor.parents.forEach((parent, index) => {
      const contribution = parentGrads[index];
      if (!needs[index] || contribution === undefined) return;
      const previous = grads.get(parent.id);
      grads.set(parent.id, previous === undefined ? contribution : add(previous, contribution));
    });
  }
  return wrt.map((t) => grads.get(t.id) ?? zeros(t, t.shape));
}
