// io.fromOnnx: models PyTorch exported (test/fixtures/onnx/make.py: the
// reference models' architectures, the BatchNorm CNN, SimpleViT; opsets 13
// and 17) give PyTorch's outputs and parameter counts, fine-tune with our
// optimizers, and hostile files (truncated, unknown ops, cycles, undefined
// values, external data, other opsets, fuzzed bytes) are refused with a
// message naming what was read, the library working on afterwards.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { init, io, memory, noGrad, optim, tensor, tidy, trainStep, manualSeed, randn } from "../src/index.js";
import { encodeModel, DataType, type OnnxModel, type OnnxNode, type OnnxTensor } from "../src/io/onnx/model.js";
import { ProtoWriter } from "../src/io/onnx/protobuf.js";

const dir = join(import.meta.dirname, "fixtures", "onnx");
interface Expected {
  input: number[];
  output: number[];
  shape: number[];
  parameters: number;
}
const expected: Record<string, Expected> = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")).models;
const file = (name: string) => new Uint8Array(readFileSync(join(dir, name)));

function node(opType: string, inputs: string[], outputs: string[], attributes: OnnxNode["attributes"] = new Map()): OnnxNode {
  return { name: outputs[0], opType, domain: "", inputs, outputs, attributes };
}
const floats = (name: string, dims: number[], seed = 1): OnnxTensor => ({
  name,
  dataType: DataType.FLOAT,
  dims,
  data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(seed * 7 + i) / 2),
});
/** x [batch, 4] -> Gemm(3) -> Relu -> Reshape to [-1, 3] through Shape/Gather/Unsqueeze/Concat, as exporters write it. */
function tinyModel(): OnnxModel {
  const ints = (v: number[]): OnnxTensor => ({ name: "", dataType: DataType.INT64, dims: [v.length], data: v });
  return {
    irVersion: 8,
    opsetImports: [{ domain: "", version: 17 }],
    producerName: "test",
    producerVersion: "",
    metadata: new Map([["dataset", "none"]]),
    graph: {
      name: "tiny",
      nodes: [
        node("Gemm", ["x", "fc.weight", "fc.bias"], ["h"], new Map([["transB", { type: "int", value: 1 }]])),
        node("Relu", ["h"], ["r"]),
        node("Shape", ["r"], ["s"]),
        node("Constant", [], ["zero"], new Map([["value", { type: "tensor", value: ints([0]) }]])),
        node("Gather", ["s", "zero"], ["b"], new Map([["axis", { type: "int", value: 0 }]])),
        node("Constant", [], ["three"], new Map([["value", { type: "tensor", value: ints([3]) }]])),
        node("Concat", ["b", "three"], ["shape"], new Map([["axis", { type: "int", value: 0 }]])),
        node("Reshape", ["r", "shape"], ["y"]),
      ],
      initializers: [floats("fc.weight", [3, 4]), floats("fc.bias", [3], 2)],
      inputs: [{ name: "x", elemType: DataType.FLOAT, shape: ["batch", 4] }],
      outputs: [{ name: "y", elemType: DataType.FLOAT, shape: ["batch", 3] }],
    },
  };
}

/** The library still works: a small computation after a refused file. */
function stillWorks(): void {
  expect(tidy(() => tensor([1, 2, 3]).mul(2).sum().item())).toBe(12);
}

describe("io.fromOnnx", () => {
  beforeAll(() => init({ backend: "wasm" }));

  it.each(Object.keys(expected))("%s gives PyTorch's outputs and parameter count", (name) => {
    const e = expected[name];
    const m = io.fromOnnx(file(name));
    m.eval();
    expect(m.numParameters()).toBe(e.parameters);
    const y = noGrad(() => tidy(() => m.forward(tensor(Float32Array.from(e.input), { shape: [3, 1, 28, 28] })).data()));
    expect(y.length).toBe(e.output.length);
    let worst = 0;
    for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(y[i] - e.output[i]) / (1 + Math.abs(e.output[i])));
    expect(worst).toBeLessThan(1e-4);
    m.dispose();
  });

  it("keeps ONNX's names: the state dict of an exported nn.Sequential is PyTorch's", () => {
    const m = io.fromOnnx(file("lenet5-opset17.onnx"));
    expect(Object.keys(m.stateDict())).toEqual(["0", "3", "7", "9", "11"].flatMap((k) => [`${k}.weight`, `${k}.bias`]));
    m.dispose();
    const bn = io.fromOnnx(file("kaggle-cnn-opset17.onnx"));
    expect(bn.namedBuffers().map(([n]) => n)).toEqual(expect.arrayContaining(["2.running_mean", "2.running_var"]));
    expect(bn.namedParameters().map(([n]) => n)).toEqual(expect.arrayContaining(["2.weight", "2.bias", "0.weight", "0.bias"]));
    bn.dispose();
  });

  it.each(["kaggle-cnn-opset17.onnx", "simple-vit-opset17.onnx", "lenet5-opset13.onnx"])(
    "%s fine-tunes: the loss falls with Adam",
    (name) => {
      manualSeed(3);
      const m = io.fromOnnx(file(name));
      m.train();
      const x = randn([32, 1, 28, 28]);
      const y = Int32Array.from({ length: 32 }, (_, i) => i % 10);
      const opt = new optim.Adam(m.parameters(), { lr: 1e-3 });
      const losses: number[] = [];
      for (let i = 0; i < 25; i++) losses.push(trainStep(m, opt, { x, y }).loss);
      expect(losses.at(-1)!).toBeLessThan(losses[0] * 0.7);
      x.dispose();
      opt.dispose();
      m.dispose();
    },
  );

  it("runs a model written here: Shape/Gather/Concat feeding Reshape keep the batch dynamic; metadata is read", () => {
    const m = io.fromOnnx(encodeModel(tinyModel()));
    expect(m.metadata.get("dataset")).toBe("none");
    // outside any tidy(): the forward frees what it made but its output, a value no node reads included
    const withDeadEnd = tinyModel();
    withDeadEnd.graph.nodes.push(node("Sigmoid", ["h"], ["unread"]));
    const d = io.fromOnnx(encodeModel(withDeadEnd));
    const live = memory().tensors;
    const x = tensor([[1, 2, 3, 4]]);
    noGrad(() => d.forward(x)).dispose();
    x.dispose();
    expect(memory().tensors).toBe(live);
    d.dispose();
    for (const batch of [1, 5]) {
      const y = noGrad(() =>
        m.forward(
          tensor(
            Float32Array.from({ length: batch * 4 }, (_, i) => i / 3 - 1),
            { shape: [batch, 4] },
          ),
        ),
      );
      expect(y.shape).toEqual([batch, 3]);
      y.dispose();
    }
  });

  it("refuses hostile files with what it was reading, and the library works on", () => {
    const live = memory().tensors;
    const refuse = (bytes: Uint8Array, message: RegExp) => {
      expect(() => io.fromOnnx(bytes)).toThrow(message);
      stillWorks();
    };
    const valid = encodeModel(tinyModel());
    refuse(valid.subarray(0, valid.length - 7), /^fromOnnx: /);
    refuse(new TextEncoder().encode("PK\u0003\u0004 this is a zip file"), /^fromOnnx: /);
    refuse(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), /fromOnnx: ModelProto: field 1 declares 4294967295 bytes/);
    const edit = (f: (m: OnnxModel) => void) => {
      const m = tinyModel();
      f(m);
      return encodeModel(m);
    };
    refuse(
      edit((m) => (m.graph.nodes[1].opType = "FancyActivation")),
      /fromOnnx: node 'r': op FancyActivation is not supported \(supported: Abs, Add, /,
    );
    refuse(
      edit((m) => (m.graph.nodes[1].domain = "com.microsoft")),
      /fromOnnx: node 'r': op Relu of domain 'com.microsoft' is not supported/,
    );
    refuse(
      edit((m) => (m.graph.nodes[0].inputs[0] = "y")),
      /fromOnnx: the graph has a cycle through node 'h' \(Gemm\)/,
    );
    refuse(
      edit((m) => (m.graph.nodes[1].inputs[0] = "nowhere")),
      /fromOnnx: node 'r' \(Relu\) reads 'nowhere', which no node, input or initializer defines/,
    );
    refuse(
      edit((m) => (m.opsetImports[0].version = 11)),
      /fromOnnx: opset 11: opsets 13-20 are read/,
    );
    refuse(
      edit((m) => m.graph.inputs.push({ name: "x2", elemType: DataType.FLOAT, shape: [1] })),
      /fromOnnx: the graph has 2 inputs \(x, x2\): models of one input are read/,
    );
    refuse(
      edit((m) => m.graph.nodes.push(node("Gelu", ["y"], ["z"]))),
      /fromOnnx: node 'z' \(Gelu\): Gelu is an opset 20 op; this model imports opset 17/,
    );
    refuse(
      edit((m) => m.graph.nodes.push(node("Relu", ["y"], ["y"]))),
      /fromOnnx: the value 'y' is produced twice/,
    );
    // an initializer whose data lies in another file (TensorProto.data_location EXTERNAL)
    const tensorProto = new ProtoWriter().packedVarints(1, [4]).varint(2, DataType.FLOAT).string(8, "w").varint(14, 1);
    const graph = new ProtoWriter().message(5, tensorProto);
    refuse(
      new ProtoWriter().varint(1, 8).message(7, graph).message(8, new ProtoWriter().varint(2, 17)).finish(),
      /fromOnnx: ModelProto.graph.initializer\[0\] 'w': its data is in an external file/,
    );
    expect(memory().tensors).toBe(live);
  });

  it("meets 10,000 mutated models (bit flips, truncations, spliced bytes, huge varints) with a model or a fromOnnx error", () => {
    const valid = encodeModel(tinyModel());
    const live = memory().tensors;
    let built = 0;
    const attempt = (bytes: Uint8Array) => {
      let m;
      try {
        m = io.fromOnnx(bytes);
      } catch (e) {
        if (!(e instanceof Error) || !e.message.startsWith("fromOnnx: ")) throw e;
        return;
      }
      built++;
      try {
        noGrad(() => tidy(() => void m.forward(tensor(new Float32Array(8).fill(0.5), { shape: [2, 4] }))));
      } catch (e) {
        if (!(e instanceof Error) || !e.message.startsWith("OnnxModule: ")) throw e;
      }
      m.dispose();
    };
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ kind: fc.constant("flip"), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
          fc.record({ kind: fc.constant("cut"), at: fc.nat() }),
          fc.record({ kind: fc.constant("splice"), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
          fc.record({ kind: fc.constant("varint"), at: fc.nat() }),
        ),
        (mutation) => {
          const at = mutation.at % valid.length;
          let b: Uint8Array;
          if (mutation.kind === "flip") {
            b = valid.slice();
            b[at] ^= 1 << (mutation as { bit: number }).bit;
          } else if (mutation.kind === "cut") b = valid.subarray(0, at);
          else if (mutation.kind === "splice")
            b = Uint8Array.from([...valid.subarray(0, at), ...(mutation as { bytes: Uint8Array }).bytes, ...valid.subarray(at)]);
          else b = Uint8Array.from([...valid.subarray(0, at), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, ...valid.subarray(at)]);
          attempt(b);
          return true;
        },
      ),
      { numRuns: 10_000 },
    );
    expect(built).toBeGreaterThan(0); // some mutations leave a model that still reads
    expect(memory().tensors).toBe(live);
    stillWorks();
  });
});
