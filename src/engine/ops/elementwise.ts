/**
 * Elementwise ops with NumPy broadcasting. A plain number operand becomes a scalar constant of the
 * other operand's dtype. Each differentiable op carries its vector–Jacobian product.
 */
import { GraphError } from '../../spec/errors.ts';
import { type DType, isFloat } from '../dtype.ts';
import { attr, type Tensor } from '../graph.ts';
import { broadcastShapes, unbroadcast } from './broadcast.ts';

/** A tensor or a number (broadcast as a scalar of the tensor's dtype). */
export type Operand = Tensor | number;

function lift(a: Operand, b: Operand, op: string): [Tensor, Tensor] {
  if (typeof a === 'number' && typeof b === 'number') throw new GraphError(`${op}: needs at least one tensor`);
  const ta = typeof a === 'number' ? (b as Tensor).graph.scalar(a, (b as Tensor).dtype) : a;
  const tb = typeof b === 'number' ? ta.graph.scalar(b, ta.dtype) : b;
  if (ta.dtype !== tb.dtype) throw new GraphError(`${op}: dtypes ${ta.dtype} and ${tb.dtype} differ (cast first)`);
  return [ta, tb];
}

function binary(
  op: string,
  a: Operand,
  b: Operand,
  vjp?: (grad: Tensor, x: Tensor, y: Tensor, out: () => Tensor, needs: readonly boolean[]) => (Tensor | undefined)[],
): Tensor {
  const [x, y] = lift(a, b, op);
  const shape = broadcastShapes(op, x.shape, y.shape);
  const result: Tensor = x.graph.emit1(op, [x, y], shape, x.dtype, {
    vjp: vjp
      ? (grad, needs) =>
          vjp(grad, x, y, () => result, needs).map((g, i) =>
            g === undefined || !needs[i] ? undefined : unbroadcast(g, i === 0 ? x.shape : y.shape),
          )
      : undefined,
  });
  return result;
}

/** a + b */
export function add(a: Operand, b: Operand): Tensor {
  return binary('Add', a, b, (grad) => [grad, grad]);
}

/** a − b */
export function sub(a: Operand, b: Operand): Tensor {
  return binary('Sub', a, b, (grad, _x, _y, _out, needs) => [grad, needs[1] ? neg(grad) : undefined]);
}

/** a · b */
export function mul(a: Operand, b: Operand): Tensor {
  return binary('Mul', a, b, (grad, x, y, _out, needs) => [
    needs[0] ? mul(grad, y) : undefined,
    needs[1] ? mul(grad, x) : undefined,
  ]);
}

/** a / b */
export function div(a: Operand, b: Operand): Tensor {
  return binary('Div', a, b, (grad, _x, y, out, needs) => [
    needs[0] ? div(grad, y) : undefined,
    needs[1] ? neg(div(mul(grad, out()), y)) : undefined,
  ]);
}

/** Elementwise maximum (gradient to the larger operand; ties to the first). */
export function maximum(a: Operand, b: Operand): Tensor {
  return binary('Max', a, b, (grad, x, y, _out, needs) => {
    const takeX = greaterOrEqual(x, y);
    const zero = grad.graph.scalar(0, grad.dtype);
    return [needs[0] ? where(takeX, grad, zero) : undefined, needs[1] ? where(takeX, zero, grad) : undefined];
  });
}

/** Elementwise minimum (gradient to the smaller operand; ties to the first). */
export function minimum(a: Operand, b: Operand): Tensor {
  return binary('Min', a, b, (grad, x, y, _out, needs) => {
    const takeX = lessOrEqual(x, y);
    const zero = grad.graph.scalar(0, grad.dtype);
    return [needs[0] ? where(takeX, grad, zero) : undefined, needs[1] ? where(takeX, zero, grad) : undefined];
  });
}

/** a ^ exponent for a constant exponent. */
export function pow(x: Tensor, exponent: number): Tensor {
  const g = x.graph;
  return g.emit1('Pow', [x, g.scalar(exponent, x.dtype)], x.shape, x.dtype, {
    parents: [x],
    vjp: (grad) => [mul(grad, mul(pow(x, exponent - 1), exponent))],
  });
}

function unary(op: string, x: Tensor, vjp?: (grad: Tensor, out: Tensor) => Tensor, attributes = {}): Tensor {
  const result: Tensor = x.graph.emit1(op, [x], x.shape, x.dtype, {
    attributes,
    vjp: vjp ? (grad) => [vjp(grad, result)] : undefined,
  });
  return result;
}

/** −x */
export function neg(x: Tensor): Tensor {
  return unary('Neg', x, (grad) => neg(grad));
}

/** eˣ */
export function exp(x: Tensor): Tensor {
  return unary('Exp', x, (grad, out) => mul(grad, out));
}

/** ln x */
export function log(x: Tensor): Tensor {
  return unary('Log', x, (grad) => div(grad, x));
}

/** tanh x */
export function tanh(x: Tensor): Tensor {
  return unary('Tanh', x, (grad, out) => mul(grad, sub(1, mul(out, out))));
}

/** √x */
export function sqrt(x: Tensor): Tensor {
  return unary('Sqrt', x, (grad, out) => div(mul(grad, 0.5), out));
}

/** σ(x) = 1 / (1 + e⁻ˣ) */
export function sigmoid(x: Tensor): Tensor {
  return unary('Sigmoid', x, (grad, out) => mul(grad, mul(out, sub(1, out))));
}

/** softplus(x) = ln(1 + eˣ), computed as max(x, 0) + ln(1 + e^(−|x|)) (stable; ORT has no double Softplus). */
export function softplus(x: Tensor): Tensor {
  const g = x.graph;
  const raw = (op: string, inputs: Tensor[]): Tensor => g.emit1(op, inputs, x.shape, x.dtype, { parents: [] });
  const one = g.scalar(1, x.dtype);
  const tail = raw('Log', [raw('Add', [one, raw('Exp', [raw('Neg', [raw('Abs', [x])])])])]);
  return g.emit1('Add', [raw('Relu', [x]), tail], x.shape, x.dtype, {
    parents: [x],
    vjp: (grad) => [mul(grad, sigmoid(x))],
  });
}

/** log σ(x) = −softplus(−x), computed stably. */
export function logSigmoid(x: Tensor): Tensor {
  return neg(softplus(neg(x)));
}

/** |x| (gradient sign(x)). */
export function abs(x: Tensor): Tensor {
  return unary('Abs', x, (grad) => mul(grad, unary('Sign', x)));
}

/** max(x, 0) */
export function relu(x: Tensor): Tensor {
  return unary('Relu', x, (grad) => where(greater(x, 0), grad, grad.graph.scalar(0, grad.dtype)));
}

/** Clamp to [min, max]; the gradient passes only where x is inside. */
export function clip(x: Tensor, min: number, max: number): Tensor {
  const g = x.graph;
  return g.emit1('Clip', [x, g.scalar(min, x.dtype), g.scalar(max, x.dtype)], x.shape, x.dtype, {
    parents: [x],
    vjp: (grad) => {
      const inside = and(greaterOrEqual(x, min), lessOrEqual(x, max));
      return [where(inside, grad, g.scalar(0, grad.dtype))];
    },
  });
}

/** Select `a` where `condition` is true, else `b` (broadcasting). */
export function where(condition: Tensor, a: Operand, b: Operand): Tensor {
  const [x, y] = lift(a, b, 'Where');
  if (condition.dtype !== 'bool') throw new GraphError('where: condition must be bool');
  const shape = broadcastShapes('Where', condition.shape, x.shape, y.shape);
  return x.graph.emit1('Where', [condition, x, y], shape, x.dtype, {
    parents: [x, y],
    vjp: (grad, needs) => {
      const zero = grad.graph.scalar(0, grad.dtype);
      return [
        needs[0] ? unbroadcast(where(condition, grad, zero), x.shape) : undefined,
        needs[1] ? unbroadcast(where(condition, zero, grad), y.shape) : undefined,
      ];
    },
  });
}

/** Convert dtype (gradients flow between float dtypes only). */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const codes = { float32: 1, int64: 7, bool: 9, float64: 11 } as const;
  const differentiable = isFloat(x.dtype) && isFloat(dtype);
  return x.graph.emit1('Cast', [x], x.shape, dtype, {
    attributes: { to: attr.int(codes[dtype]) },
    vjp: differentiable ? (grad) => [cast(grad, x.dtype)] : undefined,
  });
}

function compare(op: string, a: Operand, b: Operand): Tensor {
  const [x, y] = lift(a, b, op);
  return x.graph.emit1(op, [x, y], broadcastShapes(op, x.shape, y.shape), 'bool');
}

/** a == b (bool) */
export const equal = (a: Operand, b: Operand): Tensor => compare('Equal', a, b);
/** a < b (bool) */
export const less = (a: Operand, b: Operand): Tensor => compare('Less', a, b);
/** a > b (bool) */
export const greater = (a: Operand, b: Operand): Tensor => compare('Greater', a, b);
/** a <= b (bool) */
export const lessOrEqual = (a: Operand, b: Operand): Tensor => compare('LessOrEqual', a, b);
/** a >= b (bool) */
export const greaterOrEqual = (a: Operand, b: Operand): Tensor => compare('GreaterOrEqual', a, b);

/** Logical and of bool tensors. */
export function and(a: Tensor, b: Tensor): Tensor {
  return a.graph.emit1('And', [a, b], broadcastShapes('And', a.shape, b.shape), 'bool');
}

/** Logical not of a bool tensor. */
export function not(a: Tensor): Tensor {
  return a.graph.emit1('Not', [a], a.shape, 'bool');
}
