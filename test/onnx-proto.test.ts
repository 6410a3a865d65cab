// The ONNX wire format (src/io/onnx/): our protobuf reader and writer against
// an independent implementation (protobufjs, from a schema written here for
// the messages we use), every varint width and sign, and hostile bytes:
// truncations, bit flips, huge declared lengths and numbers, each a
// ProtoError naming what was being read, never another error or a hang.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import protobuf from "protobufjs";
import { fields, ProtoError, ProtoWriter } from "../src/io/onnx/protobuf.js";
import { decodeModel, encodeModel, DataType } from "../src/io/onnx/model.js";

// The subset of onnx.proto (ONNX's IR, proto2 syntax) that the tests encode: names and numbers as the spec has them.
const SCHEMA = `
syntax = "proto2";
package onnx;
message StringStringEntryProto { optional string key = 1; optional string value = 2; }
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }
message TensorProto {
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  repeated float float_data = 4 [packed = true];
  repeated int64 int64_data = 7 [packed = true];
  optional string name = 8;
  optional bytes raw_data = 9;
  repeated StringStringEntryProto external_data = 13;
  optional int32 data_location = 14;
}
message AttributeProto {
  optional string name = 1;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  optional TensorProto t = 5;
  repeated float floats = 7;
  repeated int64 ints = 8;
  optional int32 type = 20;
}
message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  repeated AttributeProto attribute = 5;
  optional string domain = 7;
}
message TensorShapeProto {
  message Dimension { optional int64 dim_value = 1; optional string dim_param = 2; }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; }
  optional Tensor tensor_type = 1;
}
message ValueInfoProto { optional string name = 1; optional TypeProto type = 2; }
message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}
message ModelProto {
  optional int64 ir_version = 1;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
  repeated StringStringEntryProto metadata_props = 14;
}
`;
const root = protobuf.parse(SCHEMA).root;
const ModelProto = root.lookupType("onnx.ModelProto");
const toNumber = (v: unknown) => (typeof v === "number" ? v : (v as { toNumber(): number }).toNumber());

/** A small model as protobufjs encodes it: Gemm then Relu, a float initializer in raw data and one in float_data, int64 attributes. */
function referenceModel(): Uint8Array {
  const w = Float32Array.from({ length: 6 }, (_, i) => i / 4 - 0.5);
  const dim = (d: number | string) => (typeof d === "number" ? { dimValue: d } : { dimParam: d });
  const info = (name: string, shape: (number | string)[]) => ({
    name,
    type: { tensorType: { elemType: 1, shape: { dim: shape.map(dim) } } },
  });
  return ModelProto.encode({
    irVersion: 8,
    producerName: "protobufjs",
    opsetImport: [{ domain: "", version: 17 }],
    metadataProps: [{ key: "model", value: "tiny" }],
    graph: {
      name: "g",
      node: [
        {
          input: ["x", "w", "b"],
          output: ["h"],
          name: "gemm",
          opType: "Gemm",
          attribute: [
            { name: "transB", i: 1, type: 2 },
            { name: "alpha", f: 0.5, type: 1 },
          ],
        },
        { input: ["h"], output: ["y"], name: "relu", opType: "Relu" },
        {
          input: [],
          output: ["c"],
          name: "shape",
          opType: "Constant",
          attribute: [{ name: "value", t: { dims: [2], dataType: 7, int64Data: [-1, 3] }, type: 4 }],
        },
      ],
      initializer: [
        { name: "w", dims: [2, 3], dataType: 1, rawData: new Uint8Array(w.buffer) },
        { name: "b", dims: [2], dataType: 1, floatData: [0.25, -4] },
      ],
      input: [info("x", ["batch", 3])],
      output: [info("y", ["batch", 2])],
    },
  }).finish();
}

describe("the protobuf wire format", () => {
  it("writes and reads every varint width and sign as protobufjs does", () => {
    const values = [0, 1, 127, 128, 300, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 35 + 7, 2 ** 53 - 1, -1, -2, -(2 ** 31), -(2 ** 53 - 1)];
    for (const v of values) {
      const ours = new ProtoWriter().varint(3, v).finish();
      const theirs = protobuf.Writer.create()
        .uint32((3 << 3) | 0)
        .int64(v)
        .finish();
      expect([v, Array.from(ours)]).toEqual([v, Array.from(theirs)]);
      const [f] = fields(theirs, "test");
      expect([v, f.field, f.value]).toEqual([v, 3, v]);
    }
    fc.assert(
      fc.property(fc.maxSafeInteger(), (v) => {
        const [f] = fields(new ProtoWriter().varint(1, v).finish(), "test");
        return f.value === v;
      }),
    );
  });

  it("clamps values beyond 2^53, refuses such lengths, varints over 10 bytes, lengths past the end and wire types ONNX never uses", () => {
    // a value beyond 2^53 is clamped (INT64_MAX is how exporters write "to the end"); a length beyond it is refused
    const big = protobuf.Writer.create().uint32(8).uint64("9223372036854775807").uint32(8).int64("-9223372036854775808").finish();
    expect([...fields(big, "T")].map((f) => f.value)).toEqual([Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]);
    const longer = protobuf.Writer.create().uint32(10).uint64("9007199254740993").finish();
    expect(() => [...fields(longer, "T")]).toThrow(/T: a number above 2\^53 \(corrupt\)/);
    expect(() => [...fields(Uint8Array.from([8, ...Array(10).fill(0xff), 1]), "T")]).toThrow(/T: a number runs over 10 bytes/);
    expect(() => [...fields(Uint8Array.from([8, 0x80]), "T")]).toThrow(/T: the bytes end inside a number \(truncated\)/);
    // field 1, length-delimited, declaring 2^40 bytes
    const huge = protobuf.Writer.create()
      .uint32(10)
      .uint64(2 ** 40)
      .finish();
    expect(() => [...fields(huge, "T")]).toThrow(/T: field 1 declares 1099511627776 bytes, 0 are left/);
    expect(() => [...fields(Uint8Array.from([11]), "T")]).toThrow(/T: field 1 has wire type 3, which ONNX does not use/);
    expect(() => [...fields(Uint8Array.from([13, 1, 2]), "T")]).toThrow(/the bytes end inside a 32-bit value/);
  });
});

describe("ONNX messages", () => {
  it("decodes a model protobufjs encoded: graph, nodes, attributes, raw and typed tensors, shapes with symbolic dims, metadata", () => {
    const m = decodeModel(referenceModel());
    expect([m.irVersion, m.producerName, m.opsetImports, [...m.metadata]]).toEqual([
      8,
      "protobufjs",
      [{ domain: "", version: 17 }],
      [["model", "tiny"]],
    ]);
    expect(m.graph.nodes.map((n) => [n.opType, n.name, n.inputs, n.outputs])).toEqual([
      ["Gemm", "gemm", ["x", "w", "b"], ["h"]],
      ["Relu", "relu", ["h"], ["y"]],
      ["Constant", "shape", [], ["c"]],
    ]);
    expect([...m.graph.nodes[0].attributes]).toEqual([
      ["transB", { type: "int", value: 1 }],
      ["alpha", { type: "float", value: 0.5 }],
    ]);
    expect(m.graph.nodes[2].attributes.get("value")).toEqual({
      type: "tensor",
      value: { name: "", dataType: DataType.INT64, dims: [2], data: [-1, 3] },
    });
    const [w, b] = m.graph.initializers;
    expect([w.name, w.dims, Array.from(w.data)]).toEqual(["w", [2, 3], [-0.5, -0.25, 0, 0.25, 0.5, 0.75]]);
    expect([b.name, b.dims, Array.from(b.data)]).toEqual(["b", [2], [0.25, -4]]);
    expect(m.graph.inputs).toEqual([{ name: "x", elemType: 1, shape: ["batch", 3] }]);
  });

  it("encodes what protobufjs decodes to the same model", () => {
    const m = decodeModel(referenceModel());
    const back = ModelProto.toObject(ModelProto.decode(encodeModel(m)), { longs: Number, bytes: Array }) as Record<string, never>;
    const g = back.graph as {
      node: { opType: string; attribute: { name: string; i?: number; f?: number }[] }[];
      initializer: { name: string; dims: number[]; rawData: number[] }[];
    };
    expect(back.producerName).toBe("protobufjs");
    expect(g.node.map((n) => n.opType)).toEqual(["Gemm", "Relu", "Constant"]);
    expect(g.node[0].attribute.map((a) => [a.name, a.i ?? a.f])).toEqual([
      ["transB", 1],
      ["alpha", 0.5],
    ]);
    expect(g.initializer.map((t) => [t.name, t.dims.map(toNumber), new Float32Array(Uint8Array.from(t.rawData).buffer).length])).toEqual([
      ["w", [2, 3], 6],
      ["b", [2], 2],
    ]);
    expect(decodeModel(encodeModel(m))).toEqual(m);
  });

  it("refuses external data, element counts that disagree with the data, and a model without a graph", () => {
    const model = (initializer: object): Uint8Array =>
      ModelProto.encode({ irVersion: 8, graph: { name: "g", initializer: [initializer] } }).finish();
    expect(() =>
      decodeModel(model({ name: "w", dims: [2], dataType: 1, dataLocation: 1, externalData: [{ key: "location", value: "w.bin" }] })),
    ).toThrow(/ModelProto.graph.initializer\[0\] 'w': its data is in an external file/);
    expect(() => decodeModel(model({ name: "w", dims: [1000000, 1000000], dataType: 1, rawData: new Uint8Array(8) }))).toThrow(
      /'w': dims \[1000000, 1000000\] declare 1000000000000 elements, over 2\^31/,
    );
    expect(() => decodeModel(model({ name: "w", dims: [3], dataType: 1, rawData: new Uint8Array(8) }))).toThrow(
      /'w': dims \[3\] of FLOAT need 12 bytes of raw_data, it has 8/,
    );
    expect(() => decodeModel(model({ name: "s", dims: [1], dataType: 8 }))).toThrow(/'s': element type STRING is not supported/);
    expect(() => decodeModel(ModelProto.encode({ irVersion: 8 }).finish())).toThrow(/ModelProto: no graph/);
  });

  it("meets truncations, bit flips and spliced bytes with a ProtoError or a model, never anything else", () => {
    const valid = referenceModel();
    const outcome = (bytes: Uint8Array): string => {
      try {
        decodeModel(bytes);
        return "model";
      } catch (e) {
        if (e instanceof ProtoError) return "refused";
        throw e;
      }
    };
    for (let n = 0; n < valid.length; n++) outcome(valid.subarray(0, n));
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }), { minLength: 1, maxLength: 4 }),
        fc.uint8Array({ maxLength: 12 }),
        fc.nat(),
        (flips, splice, where) => {
          const b = valid.slice();
          for (const f of flips) b[f.at % b.length] ^= 1 << f.bit;
          const at = where % b.length;
          outcome(Uint8Array.from([...b.subarray(0, at), ...splice, ...b.subarray(at)]));
          return true;
        },
      ),
      { numRuns: 2000 },
    );
  });
});
