/**
 * The engine: static-shape symbolic tensors whose ops emit ONNX nodes, reverse-mode autodiff that
 * emits the backward pass as nodes, AdamW as nodes, and ONNX Runtime sessions to run it all.
 */
export * from './dtype.ts';
export { Graph, Tensor, attr, type Attribute, type GraphBody, type Vjp, type MultiVjp, type OutputGroup } from './graph.ts';
export { gradients } from './autodiff.ts';
export * from './ops/elementwise.ts';
export * from './ops/reduce.ts';
export * from './ops/shape.ts';
export * from './ops/matmul.ts';
export * from './ops/nn.ts';
export { broadcastShapes } from './ops/broadcast.ts';
export { CompiledGraph, SessionCache, ORT_VERSION, type HostTensor, type CompileOptions } from './session.ts';
export { encodeModel, OPSET } from './onnx-proto.ts';
export { gradCheck, type GradCheckInput, type GradCheckResult } from './gradcheck.ts';
export { ParamLayout, type ParamSpec, type ParamEntry, type ParamInit } from './params.ts';
export { AdamWConfigSchema, adamwUpdate, learningRateAt, type AdamWConfig } from './optim.ts';
export * from './train-step.ts';
export { buildTrainLoopGraph } from './train-loop.ts';
