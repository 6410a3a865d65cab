// The ONNX messages this library reads and writes (onnx.proto: ModelProto,
// GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto and
// what they hold), as plain objects, with their encoding and decoding.
// Decoding refuses what it cannot represent faithfully (external data,
// segments, element counts that disagree with the bytes) with a message
// naming the message it was reading.
import { fields, packedFloats, packedVarints, ProtoError, ProtoWriter, text, type Field } from "./protobuf.js";

/** TensorProto.DataType values this library reads. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT16: 5, INT32: 6, INT64: 7, BOOL: 9, DOUBLE: 11 } as const;
const ELEMENT_BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 1, 5: 2, 6: 4, 7: 8, 9: 1, 11: 8 };
const TYPE_NAMES: Record<number, string> = {
  0: "UNDEFINED",
  1: "FLOAT",
  2: "UINT8",
  3: "INT8",
  4: "UINT16",
  5: "INT16",
  6: "INT32",
  7: "INT64",
  8: "STRING",
  9: "BOOL",
  10: "FLOAT16",
  11: "DOUBLE",
  12: "UINT32",
  13: "UINT64",
  16: "BFLOAT16",
};
export const typeName = (t: number) => TYPE_NAMES[t] ?? `type ${t}`;

/** Most elements a tensor of a file may declare (2^31: 8 GiB of float32, beyond any heap here). */
const MAX_ELEMENTS = 2 ** 31;

export interface OnnxTensor {
  name: string;
  dataType: number;
  dims: number[];
  /** FLOAT and DOUBLE as float32; the integer and boolean types as numbers. */
  data: Float32Array | number[];
}

export type OnnxAttribute =
  | { type: "float"; value: number }
  | { type: "int"; value: number }
  | { type: "string"; value: string }
  | { type: "tensor"; value: OnnxTensor }
  | { type: "floats"; value: number[] }
  | { type: "ints"; value: number[] }
  | { type: "strings"; value: string[] }
  /** A subgraph, sparse tensor or type: kept by kind only, for the importer to refuse by name. */
  | { type: "unsupported"; value: string };

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, OnnxAttribute>;
}

/** A graph input or output: element type and shape (a dimension is a number, a symbolic name, or null when unknown). */
export interface OnnxValueInfo {
  name: string;
  elemType: number;
  shape: (number | string | null)[] | null;
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export interface OnnxModel {
  irVersion: number;
  opsetImports: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  graph: OnnxGraph;
  metadata: Map<string, string>;
}

// --- decoding

function expectWire(f: Field, wire: number, what: string): void {
  if (f.wire !== wire) throw new ProtoError(`${what}: field ${f.field} has wire type ${f.wire}, expected ${wire} (corrupt)`);
}
const asBytes = (f: Field, what: string): Uint8Array => {
  expectWire(f, 2, what);
  return f.value as Uint8Array;
};
const asNumber = (f: Field, what: string): number => {
  expectWire(f, 0, what);
  return f.value as number;
};
const asString = (f: Field, what: string) => text(asBytes(f, what), what);
/** Repeated numbers, packed (one length-delimited field) or not (one field each). */
function pushVarints(out: number[], f: Field, what: string): void {
  // a loop, not push(...values): a large tensor's values would overflow the call's arguments
  if (f.wire === 2) for (const v of packedVarints(f.value, what)) out.push(v);
  else out.push(asNumber(f, what));
}
function pushFloats(out: number[], f: Field, what: string): void {
  if (f.wire === 2) for (const v of packedFloats(f.value, what)) out.push(v);
  else {
    expectWire(f, 5, what);
    out.push(f.value);
  }
}

export function decodeModel(bytes: Uint8Array): OnnxModel {
  const what = "ModelProto";
  const m: OnnxModel = {
    irVersion: 0,
    opsetImports: [],
    producerName: "",
    producerVersion: "",
    graph: null as unknown as OnnxGraph,
    metadata: new Map(),
  };
  for (const f of fields(bytes, what)) {
    switch (f.field) {
      case 1:
        m.irVersion = asNumber(f, `${what}.ir_version`);
        break;
      case 2:
        m.producerName = asString(f, `${what}.producer_name`);
        break;
      case 3:
        m.producerVersion = asString(f, `${what}.producer_version`);
        break;
      case 7:
        m.graph = decodeGraph(asBytes(f, `${what}.graph`), `${what}.graph`);
        break;
      case 8: {
        const w = `${what}.opset_import[${m.opsetImports.length}]`;
        const o = { domain: "", version: 0 };
        for (const g of fields(asBytes(f, w), w)) {
          if (g.field === 1) o.domain = asString(g, `${w}.domain`);
          else if (g.field === 2) o.version = asNumber(g, `${w}.version`);
        }
        m.opsetImports.push(o);
        break;
      }
      case 14: {
        const w = `${what}.metadata_props`;
        let key = "",
          value = "";
        for (const g of fields(asBytes(f, w), w)) {
          if (g.field === 1) key = asString(g, `${w}.key`);
          else if (g.field === 2) value = asString(g, `${w}.value`);
        }
        m.metadata.set(key, value);
        break;
      }
      case 25:
        throw new ProtoError(`${what}: the model defines functions (FunctionProto), which are not supported`);
    }
  }
  if (!m.graph) throw new ProtoError(`${what}: no graph (not an ONNX model, or truncated)`);
  return m;
}

function decodeGraph(bytes: Uint8Array, what: string): OnnxGraph {
  const g: OnnxGraph = { name: "", nodes: [], initializers: [], inputs: [], outputs: [] };
  for (const f of fields(bytes, what)) {
    switch (f.field) {
      case 1:
        g.nodes.push(decodeNode(asBytes(f, what), `${what}.node[${g.nodes.length}]`));
        break;
      case 2:
        g.name = asString(f, `${what}.name`);
        break;
      case 5:
        g.initializers.push(decodeTensor(asBytes(f, what), `${what}.initializer[${g.initializers.length}]`));
        break;
      case 11:
        g.inputs.push(decodeValueInfo(asBytes(f, what), `${what}.input[${g.inputs.length}]`));
        break;
      case 12:
        g.outputs.push(decodeValueInfo(asBytes(f, what), `${what}.output[${g.outputs.length}]`));
        break;
      case 15:
        throw new ProtoError(`${what}: sparse initializers are not supported`);
    }
  }
  return g;
}

function decodeNode(bytes: Uint8Array, what: string): OnnxNode {
  const n: OnnxNode = { name: "", opType: "", domain: "", inputs: [], outputs: [], attributes: new Map() };
  for (const f of fields(bytes, what)) {
    switch (f.field) {
      case 1:
        n.inputs.push(asString(f, `${what}.input`));
        break;
      case 2:
        n.outputs.push(asString(f, `${what}.output`));
        break;
      case 3:
        n.name = asString(f, `${what}.name`);
        break;
      case 4:
        n.opType = asString(f, `${what}.op_type`);
        break;
      case 7:
        n.domain = asString(f, `${what}.domain`);
        break;
      case 5: {
        const [name, a] = decodeAttribute(asBytes(f, what), `${what}.attribute[${n.attributes.size}]`);
        n.attributes.set(name, a);
        break;
      }
    }
  }
  return n;
}

function decodeAttribute(bytes: Uint8Array, what: string): [string, OnnxAttribute] {
  let name = "",
    type = 0;
  let f_: number | undefined, i_: number | undefined, s_: string | undefined, t_: OnnxTensor | undefined;
  const floats: number[] = [],
    ints: number[] = [],
    strings: string[] = [];
  let other = "";
  for (const f of fields(bytes, what)) {
    switch (f.field) {
      case 1:
        name = asString(f, `${what}.name`);
        break;
      case 20:
        type = asNumber(f, `${what}.type`);
        break;
      case 2:
        expectWire(f, 5, `${what}.f`);
        f_ = f.value as number;
        break;
      case 3:
        i_ = asNumber(f, `${what}.i`);
        break;
      case 4:
        s_ = asString(f, `${what}.s`);
        break;
      case 5:
        t_ = decodeTensor(asBytes(f, what), `${what}.t`);
        break;
      case 7:
        pushFloats(floats, f, `${what}.floats`);
        break;
      case 8:
        pushVarints(ints, f, `${what}.ints`);
        break;
      case 9:
        strings.push(asString(f, `${what}.strings`));
        break;
      case 6:
      case 11:
        other = "a graph";
        break;
      case 10:
        other = "tensors";
        break;
      case 14:
      case 15:
        other = "a type";
        break;
      case 21:
        other = "a reference to a function's attribute";
        break;
      case 22:
      case 23:
        other = "a sparse tensor";
        break;
    }
  }
  const w = `${what} '${name}'`;
  const need = <T>(v: T | undefined, kind: string): T => {
    if (v === undefined) throw new ProtoError(`${w}: of type ${kind} without its value (corrupt)`);
    return v;
  };
  switch (type) {
    case 1:
      return [name, { type: "float", value: f_ ?? 0 }];
    case 2:
      return [name, { type: "int", value: i_ ?? 0 }];
    case 3:
      return [name, { type: "string", value: s_ ?? "" }];
    case 4:
      return [name, { type: "tensor", value: need(t_, "TENSOR") }];
    case 6:
      return [name, { type: "floats", value: floats }];
    case 7:
      return [name, { type: "ints", value: ints }];
    case 8:
      return [name, { type: "strings", value: strings }];
    case 5:
    case 9:
    case 10:
    case 11:
    case 12:
    case 13:
    case 14:
      return [name, { type: "unsupported", value: other || `attribute type ${type}` }];
    default:
      throw new ProtoError(`${w}: attribute type ${type} (corrupt)`);
  }
}

function decodeValueInfo(bytes: Uint8Array, what: string): OnnxValueInfo {
  const v: OnnxValueInfo = { name: "", elemType: 0, shape: null };
  for (const f of fields(bytes, what)) {
    if (f.field === 1) v.name = asString(f, `${what}.name`);
    else if (f.field === 2) {
      for (const t of fields(asBytes(f, what), `${what}.type`)) {
        if (t.field !== 1) continue; // sequences, maps, ...: no element type, refused where used
        for (const tt of fields(asBytes(t, what), `${what}.type.tensor_type`)) {
          if (tt.field === 1) v.elemType = asNumber(tt, `${what}.type.tensor_type.elem_type`);
          else if (tt.field === 2) {
            v.shape = [];
            for (const d of fields(asBytes(tt, what), `${what}.shape`)) {
              if (d.field !== 1) continue;
              let dim: number | string | null = null;
              for (const x of fields(asBytes(d, what), `${what}.shape.dim`)) {
                if (x.field === 1) dim = asNumber(x, `${what}.shape.dim.dim_value`);
                else if (x.field === 2) dim = asString(x, `${what}.shape.dim.dim_param`);
              }
              v.shape.push(dim);
            }
          }
        }
      }
    }
  }
  return v;
}

export function decodeTensor(bytes: Uint8Array, what: string): OnnxTensor {
  const dims: number[] = [];
  let dataType = 0,
    name = "",
    raw: Uint8Array | null = null,
    external = false;
  const floats: number[] = [],
    ints: number[] = [],
    doubles: number[] = [];
  for (const f of fields(bytes, what)) {
    switch (f.field) {
      case 1:
        pushVarints(dims, f, `${what}.dims`);
        break;
      case 2:
        dataType = asNumber(f, `${what}.data_type`);
        break;
      case 3:
        throw new ProtoError(`${what}: a tensor in segments is not supported`);
      case 4:
        pushFloats(floats, f, `${what}.float_data`);
        break;
      case 5:
      case 7:
        pushVarints(ints, f, `${what}.int_data`);
        break;
      case 8:
        name = asString(f, `${what}.name`);
        break;
      case 9:
        raw = asBytes(f, `${what}.raw_data`);
        break;
      case 10:
        if (f.wire === 2) {
          const b = f.value;
          if (b.length % 8) throw new ProtoError(`${what}.double_data: ${b.length} bytes, not a multiple of 8 (corrupt)`);
          const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
          for (let i = 0; i < b.length; i += 8) doubles.push(view.getFloat64(i, true));
        } else {
          expectWire(f, 1, `${what}.double_data`);
          doubles.push(f.value as number);
        }
        break;
      case 13:
        external = true;
        break;
      case 14:
        if (asNumber(f, `${what}.data_location`) === 1) external = true;
        break;
    }
  }
  const w = name ? `${what} '${name}'` : what;
  if (external)
    throw new ProtoError(`${w}: its data is in an external file; only self-contained models are read (save with all tensors inside)`);
  if (!(dataType in ELEMENT_BYTES)) throw new ProtoError(`${w}: element type ${typeName(dataType)} is not supported`);
  let count = 1;
  for (const d of dims) {
    if (d < 0) throw new ProtoError(`${w}: a negative dimension ${d} (corrupt)`);
    count *= d;
  }
  if (count > MAX_ELEMENTS) throw new ProtoError(`${w}: dims [${dims.join(", ")}] declare ${count} elements, over 2^31`);
  const size = ELEMENT_BYTES[dataType];
  const floating = dataType === DataType.FLOAT || dataType === DataType.DOUBLE;
  let data: Float32Array | number[];
  if (raw) {
    if (raw.length !== count * size)
      throw new ProtoError(
        `${w}: dims [${dims.join(", ")}] of ${typeName(dataType)} need ${count * size} bytes of raw_data, it has ${raw.length}`,
      );
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const read = (i: number): number => {
      switch (dataType) {
        case DataType.FLOAT:
          return view.getFloat32(4 * i, true);
        case DataType.DOUBLE:
          return view.getFloat64(8 * i, true);
        case DataType.INT64: {
          const v = view.getBigInt64(8 * i, true);
          if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER))
            return v > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER; // "to the end" in Slice: clamped, as runtimes do
          return Number(v);
        }
        case DataType.INT32:
          return view.getInt32(4 * i, true);
        case DataType.INT16:
          return view.getInt16(2 * i, true);
        case DataType.INT8:
          return view.getInt8(i);
        default:
          return view.getUint8(i); // UINT8, BOOL
      }
    };
    data = floating ? new Float32Array(count) : new Array<number>(count);
    for (let i = 0; i < count; i++) data[i] = read(i);
  } else {
    const values = dataType === DataType.FLOAT ? floats : dataType === DataType.DOUBLE ? doubles : ints;
    if (values.length !== count)
      throw new ProtoError(`${w}: dims [${dims.join(", ")}] declare ${count} elements, the tensor has ${values.length}`);
    data = floating ? Float32Array.from(values) : values;
  }
  return { name, dataType, dims, data };
}

// --- encoding (what the exporter writes: float and int64 tensors as raw data)

export function encodeModel(m: OnnxModel): Uint8Array {
  const w = new ProtoWriter().varint(1, m.irVersion);
  if (m.producerName) w.string(2, m.producerName);
  if (m.producerVersion) w.string(3, m.producerVersion);
  w.message(7, encodeGraph(m.graph));
  for (const o of m.opsetImports) {
    const ow = new ProtoWriter();
    if (o.domain) ow.string(1, o.domain);
    w.message(8, ow.varint(2, o.version));
  }
  for (const [k, v] of m.metadata) w.message(14, new ProtoWriter().string(1, k).string(2, v));
  return w.finish();
}

function encodeGraph(g: OnnxGraph): ProtoWriter {
  const w = new ProtoWriter();
  for (const n of g.nodes) w.message(1, encodeNode(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, encodeTensor(t));
  for (const v of g.inputs) w.message(11, encodeValueInfo(v));
  for (const v of g.outputs) w.message(12, encodeValueInfo(v));
  return w;
}

function encodeNode(n: OnnxNode): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name) w.string(3, n.name);
  w.string(4, n.opType);
  if (n.domain) w.string(7, n.domain);
  for (const [name, a] of n.attributes) w.message(5, encodeAttribute(name, a));
  return w;
}

function encodeAttribute(name: string, a: OnnxAttribute): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  switch (a.type) {
    case "float":
      return w.float(2, a.value).varint(20, 1);
    case "int":
      return w.varint(3, a.value).varint(20, 2);
    case "string":
      return w.string(4, a.value).varint(20, 3);
    case "tensor":
      return w.message(5, encodeTensor(a.value)).varint(20, 4);
    case "floats":
      return w.packedFloats(7, a.value).varint(20, 6);
    case "ints":
      return w.packedVarints(8, a.value).varint(20, 7);
    case "strings":
      for (const s of a.value) w.string(9, s);
      return w.varint(20, 8);
    case "unsupported":
      throw new RangeError(`toOnnx: attribute '${name}' holds ${a.value}, which is not written`);
  }
}

export function encodeTensor(t: OnnxTensor): ProtoWriter {
  const w = new ProtoWriter().packedVarints(1, t.dims).varint(2, t.dataType);
  if (t.name) w.string(8, t.name);
  const n = t.data.length;
  if (t.dataType === DataType.FLOAT) {
    const b = new Uint8Array(n * 4);
    new Float32Array(b.buffer).set(t.data); // little-endian hosts only: every engine this library runs on
    return w.bytes(9, b);
  }
  if (t.dataType === DataType.INT64) {
    const b = new BigInt64Array(n);
    for (let i = 0; i < n; i++) b[i] = BigInt(t.data[i]);
    return w.bytes(9, new Uint8Array(b.buffer));
  }
  throw new RangeError(`toOnnx: tensor '${t.name}' of ${typeName(t.dataType)} is not written (float and int64 are)`);
}

function encodeValueInfo(v: OnnxValueInfo): ProtoWriter {
  const tensorType = new ProtoWriter().varint(1, v.elemType);
  if (v.shape) {
    const shape = new ProtoWriter();
    for (const d of v.shape) {
      const dim = new ProtoWriter();
      if (typeof d === "number") dim.varint(1, d);
      else if (typeof d === "string") dim.string(2, d);
      shape.message(1, dim);
    }
    tensorType.message(2, shape);
  }
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
}
