// A small builder over onnx-proto's ModelProto messages: named initializers, nodes with typed attributes, unique
// intermediate names. Hand-written because no maintained JS library builds ONNX graphs; the messages themselves come
// from onnx-proto.
import onnxProto from "onnx-proto";

const { onnx } = onnxProto;
export type TensorType = "float32" | "int8" | "uint8" | "int32" | "int64";
const DTYPE: Record<TensorType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int8: onnx.TensorProto.DataType.INT8,
  uint8: onnx.TensorProto.DataType.UINT8,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
};

/** A float attribute whose value happens to be whole (e.g. `floatAttr(-10000)`); plain numbers are typed by value. */
export interface FloatAttr {
  float: number;
}
export const floatAttr = (value: number): FloatAttr => ({ float: value });

type AttrValue = number | number[] | string | FloatAttr;

export class GraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private counter = 0;
  private readonly domains = new Set<string>();

  private valueInfo(name: string, type: TensorType, dims: Array<number | string>): onnxProto.onnx.IValueInfoProto {
    return {
      name,
      type: { tensorType: { elemType: DTYPE[type], shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) } } },
    };
  }

  input(name: string, type: TensorType, dims: Array<number | string>): string {
    this.inputs.push(this.valueInfo(name, type, dims));
    return name;
  }

  output(name: string, type: TensorType, dims: Array<number | string>): void {
    this.outputs.push(this.valueInfo(name, type, dims));
  }

  /** An initializer from typed data, stored as raw little-endian bytes. */
  constant(name: string, type: TensorType, dims: number[], data: Float32Array | Int8Array | Uint8Array | Int32Array | BigInt64Array): string {
    const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.initializers.push({ name, dims, dataType: DTYPE[type], rawData: raw.slice() });
    return name;
  }

  ints(values: number[]): string {
    return this.constant(`const_${this.counter++}`, "int64", [values.length], BigInt64Array.from(values, BigInt));
  }

  node(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    return this.nodeN(opType, inputs, 1, attrs, output ? [output] : undefined)[0]!;
  }

  /** A node with several outputs (e.g. DynamicQuantizeLinear). `"com.microsoft:Gelu"` names an op of that domain. */
  nodeN(qualifiedOp: string, inputs: string[], count: number, attrs: Record<string, AttrValue> = {}, outputs?: string[]): string[] {
    const [domain, opType] = qualifiedOp.includes(":") ? (qualifiedOp.split(":") as [string, string]) : ["", qualifiedOp];
    if (domain) this.domains.add(domain);
    const base = `${opType.toLowerCase()}_${this.counter++}`;
    const outs = outputs ?? Array.from({ length: count }, (_, i) => (i === 0 ? base : `${base}_${i}`));
    const attribute = Object.entries(attrs).map(([name, v]) => {
      if (typeof v === "string") return { name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(v) };
      if (Array.isArray(v)) return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: v };
      if (typeof v === "object") return { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: v.float };
      return Number.isInteger(v) ? { name, type: onnx.AttributeProto.AttributeType.INT, i: v } : { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: v };
    });
    this.nodes.push({ opType, domain, input: inputs, output: outs, attribute, name: outs[0]! });
    return outs;
  }

  build(name: string, opset: number, docString: string): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: "medner",
      docString,
      opsetImport: [{ domain: "", version: opset }, ...[...this.domains].map((domain) => ({ domain, version: 1 }))],
      graph: { name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
