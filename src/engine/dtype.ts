/**
 * Element types the engine supports, with their ONNX `TensorProto.DataType` codes and typed arrays.
 */
export type DType = 'float32' | 'float64' | 'int64' | 'bool';

/** ONNX TensorProto.DataType enum values (onnx.proto). */
export const ONNX_DTYPE = { float32: 1, bool: 9, int64: 7, float64: 11 } as const satisfies Record<DType, number>;

/** Bytes per element. */
export const DTYPE_BYTES = { float32: 4, float64: 8, int64: 8, bool: 1 } as const satisfies Record<DType, number>;

/** The typed array that holds each dtype (ORT's conventions). */
export type TypedArrayOf<D extends DType> = D extends 'float32'
  ? Float32Array
  : D extends 'float64'
    ? Float64Array
    : D extends 'int64'
      ? BigInt64Array
      : Uint8Array;

/** Whether gradients flow through values of this dtype. */
export function isFloat(dtype: DType): dtype is 'float32' | 'float64' {
  return dtype === 'float32' || dtype === 'float64';
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}
