/**
 * ONNX serialization: the subset of `onnx.proto` the engine emits (ModelProto, GraphProto, NodeProto,
 * AttributeProto, TensorProto with raw_data, ValueInfoProto), encoded with protobufjs. Field numbers
 * follow onnx/onnx.proto (IR version 8, opset 17).
 */
import protobuf from 'protobufjs';
import { ONNX_DTYPE } from './dtype.ts';
import type { Attribute, GraphBody, Initializer, NodeSpec, ValueSpec } from './graph.ts';

/** The default-domain opset every graph targets. */
export const OPSET = 17;
/** ONNX IR version matching opset 17. */
export const IR_VERSION = 8;

const root = protobuf.Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            docString: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
          },
        },
        OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
            domain: { type: 'string', id: 7 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            g: { type: 'GraphProto', id: 6 },
            floats: { rule: 'repeated', type: 'float', id: 7 },
            ints: { rule: 'repeated', type: 'int64', id: 8 },
            type: { type: 'int32', id: 20 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1 },
            dataType: { type: 'int32', id: 2 },
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
          },
        },
        ValueInfoProto: { fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } } },
        TypeProto: {
          fields: { tensorType: { type: 'TensorTypeProto', id: 1 } },
        },
        TensorTypeProto: {
          fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } },
        },
        TensorShapeProto: { fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } } },
        Dimension: { fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 } } },
      },
    },
  },
});

const ModelProto = root.lookupType('onnx.ModelProto');

/** AttributeProto.AttributeType codes. */
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, graph: 5, floats: 6, ints: 7 } as const satisfies Record<
  Attribute['type'],
  number
>;

function encodeAttribute(name: string, attribute: Attribute): Record<string, unknown> {
  const base = { name, type: ATTRIBUTE_TYPE[attribute.type] };
  switch (attribute.type) {
    case 'int':
      return { ...base, i: attribute.value };
    case 'float':
      return { ...base, f: attribute.value };
    case 'string':
      return { ...base, s: Buffer.from(attribute.value, 'utf8') };
    case 'ints':
      return { ...base, ints: [...attribute.value] };
    case 'floats':
      return { ...base, floats: [...attribute.value] };
    case 'graph':
      return { ...base, g: encodeGraph(attribute.value) };
  }
}

function encodeNode(node: NodeSpec, index: number): Record<string, unknown> {
  return {
    input: [...node.inputs],
    output: [...node.outputs],
    name: `n${index}_${node.opType}`,
    opType: node.opType,
    domain: node.domain,
    attribute: Object.entries(node.attributes).map(([name, value]) => encodeAttribute(name, value)),
  };
}

function encodeInitializer(init: Initializer): Record<string, unknown> {
  const bytes = new Uint8Array(init.data.buffer, init.data.byteOffset, init.data.byteLength);
  return { name: init.name, dims: [...init.shape], dataType: ONNX_DTYPE[init.dtype], rawData: bytes };
}

function encodeValue(value: ValueSpec): Record<string, unknown> {
  return {
    name: value.name,
    type: {
      tensorType: { elemType: ONNX_DTYPE[value.dtype], shape: { dim: value.shape.map((dimValue) => ({ dimValue })) } },
    },
  };
}

function encodeGraph(body: GraphBody): Record<string, unknown> {
  return {
    name: body.name,
    node: body.nodes.map(encodeNode),
    initializer: body.initializers.map(encodeInitializer),
    input: body.inputs.map(encodeValue),
    output: body.outputs.map(encodeValue),
  };
}

/** Serialize a graph as an ONNX ModelProto (opset 17 + the `com.microsoft` contrib domain). */
export function encodeModel(body: GraphBody, docString = ''): Uint8Array {
  const message = ModelProto.fromObject({
    irVersion: IR_VERSION,
    producerName: 'hhrl',
    producerVersion: '0.1.0',
    docString,
    graph: encodeGraph(body),
    opsetImport: [
      { domain: '', version: OPSET },
      { domain: 'com.microsoft', version: 1 },
    ],
  });
  return ModelProto.encode(message).finish();
}
