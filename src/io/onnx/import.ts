// io.fromOnnx: an ONNX model as a Module that runs and trains on this
// library's ops. Its float initializers become parameters under their ONNX
// names (BatchNormalization's running statistics buffers), so stateDict()
// and optimizers see them; every node runs through the op layer, so the
// tape records it. Integer tensors (shapes and the arithmetic exporters write
// around Reshape: Shape, Gather, Unsqueeze, Concat, ...) are computed as
// plain numbers. Everything is checked when the file is read: the opset, each
// op and attribute, that every value is defined, that the graph has no
// cycle; a file this library cannot run faithfully is refused with what it
// was reading, never run wrongly.
import { Module } from "../../nn/module.js";
import { Tensor } from "../../tensor.js";
import { tensor } from "../../creation.js";
import { keep, tidy } from "../../tidy.js";
import { ProtoError } from "./protobuf.js";
import { decodeModel, DataType, typeName, type OnnxAttribute, type OnnxModel, type OnnxNode, type OnnxTensor } from "./model.js";
import { Ints, OPS, type OpContext, type Value } from "./import-ops.js";

/** The opsets read: ONNX's default domain, versions 13 to 20. */
export const OPSET_RANGE = [13, 20] as const;

export class OnnxImportError extends Error {}

function fail(message: string): never {
  throw new OnnxImportError(`fromOnnx: ${message}`);
}

/** A module that holds tensors by dotted names, as the state dict names them ("layer1.0.weight"): one child per prefix. */
class Holder extends Module {
  private readonly holders = new Map<string, Holder>();

  forward(x: Tensor): Tensor {
    void x;
    throw new Error("an ONNX model's parameter holder has no forward of its own");
  }

  protected hold(kind: "parameter" | "buffer", path: string[], t: Tensor): void {
    if (path.length > 1) {
      let child = this.holders.get(path[0]);
      if (!child) this.holders.set(path[0], (child = this.registerModule(path[0], new Holder())));
      child.hold(kind, path.slice(1), t);
    } else if (kind === "parameter") this.registerParameter(path[0], t);
    else this.registerBuffer(path[0], t);
  }
}

/** An imported ONNX model: forward(x) runs its graph on the library's ops; its initializers are parameters under their ONNX names. */
export class OnnxModule extends Holder {
  /** The file's metadata properties (ModelProto.metadata_props). */
  readonly metadata: Map<string, string>;
  readonly inputName: string;
  /** The input's shape as the file declares it: sizes, symbolic names ("batch"), null where unknown; null without a shape. */
  readonly inputShape: (number | string | null)[] | null;
  readonly outputName: string;
  readonly opset: number;
  private readonly nodes: OnnxNode[];
  /** Parameters, buffers and constants by ONNX name. */
  private readonly values: Map<string, Value>;
  private readonly held: Set<Value>;
  /** For each node, the values whose last use it is (freed after it runs). */
  private readonly lastUses: string[][];

  constructor(
    model: OnnxModel,
    opset: number,
    order: OnnxNode[],
    tensors: Map<string, Tensor>,
    parameters: Set<string>,
    constants: Map<string, Value>,
    input: string,
  ) {
    super();
    this.metadata = model.metadata;
    this.opset = opset;
    this.nodes = order;
    for (const [name, t] of tensors) this.hold(parameters.has(name) ? "parameter" : "buffer", name.split("."), t);
    this.values = new Map([...tensors, ...constants]);
    this.held = new Set(this.values.values());
    this.inputName = input;
    this.inputShape = model.graph.inputs.find((v) => v.name === input)?.shape ?? null;
    this.outputName = model.graph.outputs[0].name;
    // a value is freed after the last node that reads it, unless the module holds it or it is the output
    const last = new Map<string, number>();
    order.forEach((n, i) => n.inputs.forEach((name) => last.set(name, i)));
    this.lastUses = order.map(() => []);
    for (const [name, i] of last) if (!this.values.has(name) && name !== this.outputName && name !== input) this.lastUses[i].push(name);
  }

  /** Frees the module's tensors: parameters, buffers and the graph's constants. */
  dispose(): void {
    for (const v of this.values.values()) if (v instanceof Tensor) v.dispose();
  }

  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw new TypeError(`OnnxModule.forward: expected a Tensor for '${this.inputName}', got ${String(x)}`);
    const env = new Map<string, Value>(this.values);
    // how many names hold each value this forward made: an op may hand back its input (Identity, Dropout)
    const holders = new Map<Value, number>();
    const put = (name: string, v: Value) => {
      env.set(name, v);
      holders.set(v, (holders.get(v) ?? 0) + 1);
    };
    const ours = (v: Value): v is Tensor => v instanceof Tensor && v !== x && !this.held.has(v);
    /** Frees the values this forward made, but the one it returns. */
    const release = (keepOut?: Value) => {
      for (const v of holders.keys()) if (v !== keepOut && ours(v)) v.dispose();
    };
    put(this.inputName, x);
    const ctx: OpContext = { training: this.training, opset: this.opset };
    this.nodes.forEach((node, i) => {
      const inputs = node.inputs.map((name) => (name === "" ? null : env.get(name)!));
      let outputs: Value[];
      try {
        // a node's temporaries (transposes, converted integers) go when it is done
        outputs = tidy(() => OPS[node.opType].run(node, inputs, ctx));
      } catch (e) {
        release();
        throw new Error(`OnnxModule: node '${node.name || node.outputs[0]}' (${node.opType}): ${(e as Error).message}`, { cause: e });
      }
      node.outputs.forEach((name, k) => {
        if (name !== "" && k < outputs.length) put(name, outputs[k]);
      });
      for (const name of this.lastUses[i]) {
        const v = env.get(name)!;
        env.delete(name);
        const left = holders.get(v)! - 1;
        if (left > 0) holders.set(v, left);
        else {
          holders.delete(v);
          if (ours(v)) v.dispose();
        }
      }
    });
    const out = env.get(this.outputName);
    // values no node read (other outputs, dead ends) go too
    release(out);
    if (!(out instanceof Tensor)) throw new Error(`OnnxModule: the output '${this.outputName}' is not a float tensor`);
    return out;
  }
}

/** The float initializers' and Constant nodes' values, the integer ones as Ints. */
function constantValue(t: OnnxTensor, what: string): Value {
  if (t.dataType === DataType.FLOAT || t.dataType === DataType.DOUBLE) return keep(tensor(t.data as Float32Array, { shape: t.dims }));
  if ([DataType.INT64, DataType.INT32, DataType.INT16, DataType.INT8, DataType.UINT8, DataType.BOOL].includes(t.dataType as 7))
    return new Ints(t.dims, t.data as number[]);
  fail(`${what}: element type ${typeName(t.dataType)} is not supported`);
}

/** The value of a Constant node (value, value_float, value_int, value_floats, value_ints). */
function constantNode(node: OnnxNode, what: string): Value {
  const [[name, a]] = node.attributes.size === 1 ? [...node.attributes] : fail(`${what}: a Constant needs exactly one value attribute`);
  const is = <T extends OnnxAttribute["type"]>(t: T): Extract<OnnxAttribute, { type: T }> => {
    if (a.type !== t) fail(`${what}: attribute '${name}' must be of type ${t}, it is ${a.type}`);
    return a as Extract<OnnxAttribute, { type: T }>;
  };
  switch (name) {
    case "value":
      return constantValue(is("tensor").value, what);
    case "value_float":
      return keep(tensor(new Float32Array([is("float").value]), { shape: [] }));
    case "value_floats":
      return keep(tensor(Float32Array.from(is("floats").value), { shape: [is("floats").value.length] }));
    case "value_int":
      return new Ints([], [is("int").value]);
    case "value_ints":
      return new Ints([is("ints").value.length], is("ints").value);
    default:
      fail(`${what}: a Constant's '${name}' is not supported`);
  }
}

/** Kahn's algorithm: the nodes in an order that computes every input first; a cycle or an undefined input is refused. */
function topologicalOrder(nodes: OnnxNode[], defined: Set<string>): OnnxNode[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) =>
    n.outputs.forEach((o) => {
      if (o === "") return;
      if (producer.has(o) || defined.has(o)) fail(`the value '${o}' is produced twice (by node '${n.name || o}')`);
      producer.set(o, i);
    }),
  );
  const waiting = nodes.map(() => 0);
  const consumers: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    for (const name of n.inputs) {
      if (name === "" || defined.has(name)) continue;
      const p = producer.get(name);
      if (p === undefined)
        fail(`node '${n.name || n.outputs[0]}' (${n.opType}) reads '${name}', which no node, input or initializer defines`);
      waiting[i]++;
      consumers[p].push(i);
    }
  });
  const ready = nodes.map((_, i) => i).filter((i) => waiting[i] === 0);
  const order: OnnxNode[] = [];
  while (ready.length) {
    const i = ready.shift()!;
    order.push(nodes[i]);
    for (const c of consumers[i]) if (--waiting[c] === 0) ready.push(c);
  }
  if (order.length < nodes.length) {
    const stuck = nodes.find((_, i) => waiting[i] > 0)!;
    fail(`the graph has a cycle through node '${stuck.name || stuck.outputs[0]}' (${stuck.opType})`);
  }
  return order;
}

/**
 * Reads an ONNX model (the bytes of a .onnx file) into a Module that runs
 * and trains on this library's kernels: opsets 13-20 of ONNX's default
 * domain, one float input, the ops `OPS` lists (src/io/onnx/import-ops.ts).
 * Float initializers become trainable parameters under their ONNX names;
 * BatchNormalization's running mean and variance buffers. An initializer an
 * exporter shared between equal tensors through Identity nodes becomes a
 * parameter of its own under each name, as the model was trained.
 */
export function fromOnnx(bytes: Uint8Array): OnnxModule {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`fromOnnx: expected the file's bytes as a Uint8Array, got ${String(bytes)}`);
  let model: OnnxModel;
  try {
    model = decodeModel(bytes);
  } catch (e) {
    if (e instanceof ProtoError) fail(e.message);
    throw e;
  }
  const g = model.graph;
  const onnx = model.opsetImports.filter((o) => o.domain === "" || o.domain === "ai.onnx");
  if (onnx.length !== 1)
    fail(`the model imports ${onnx.length === 0 ? "no opset of ONNX's default domain" : "ONNX's default domain twice"}`);
  const opset = onnx[0].version;
  if (opset < OPSET_RANGE[0] || opset > OPSET_RANGE[1]) fail(`opset ${opset}: opsets ${OPSET_RANGE[0]}-${OPSET_RANGE[1]} are read`);
  for (const n of g.nodes) {
    const what = `node '${n.name || n.outputs[0] || "?"}'`;
    if (n.domain !== "" && n.domain !== "ai.onnx") fail(`${what}: op ${n.opType} of domain '${n.domain}' is not supported`);
    const op = Object.hasOwn(OPS, n.opType) ? OPS[n.opType] : undefined;
    if (!op) fail(`${what}: op ${n.opType} is not supported (supported: ${Object.keys(OPS).sort().join(", ")})`);
    if (n.outputs.length === 0) fail(`${what} (${n.opType}) has no output`);
    for (const [name, a] of n.attributes)
      if (a.type === "unsupported") fail(`${what} (${n.opType}): attribute '${name}' holds ${a.value}, which is not supported`);
    try {
      op.check?.(n, opset, (m: string) => fail(`${what} (${n.opType}): ${m}`));
    } catch (e) {
      if (e instanceof OnnxImportError) throw e;
      fail(`${what} (${n.opType}): ${(e as Error).message}`);
    }
  }
  const inits = new Map(g.initializers.map((t) => [t.name, t]));
  const inputs = g.inputs.filter((v) => !inits.has(v.name));
  if (inputs.length !== 1)
    fail(`the graph has ${inputs.length} inputs (${inputs.map((v) => v.name).join(", ")}): models of one input are read`);
  if (inputs[0].elemType !== DataType.FLOAT)
    fail(`the input '${inputs[0].name}' is ${typeName(inputs[0].elemType)}: a FLOAT input is read`);
  if (g.outputs.length < 1) fail("the graph has no output");

  const tensors = new Map<string, Tensor>();
  const parameters = new Set<string>();
  const constants = new Map<string, Value>();
  const release = () => [...tensors.values(), ...constants.values()].forEach((t) => t instanceof Tensor && t.dispose());
  try {
    // BatchNormalization's inputs 3 and 4 are statistics, not weights
    const statistics = new Set(g.nodes.filter((n) => n.opType === "BatchNormalization").flatMap((n) => n.inputs.slice(3, 5)));
    const taken = (name: string) => tensors.has(name) || constants.has(name);
    for (const t of g.initializers) {
      if (!t.name) fail("an initializer without a name");
      if (taken(t.name)) fail(`the initializer '${t.name}' is defined twice`);
      const v = constantValue(t, `initializer '${t.name}'`);
      if (v instanceof Tensor && t.dims.length > 0) {
        tensors.set(t.name, v);
        if (!statistics.has(t.name)) parameters.add(t.name);
      } else constants.set(t.name, v);
    }
    const nodes: OnnxNode[] = [];
    for (const n of g.nodes) {
      const what = `node '${n.name || n.outputs[0]}'`;
      const out = n.outputs[0];
      if ((n.opType === "Constant" || (n.opType === "Identity" && tensors.has(n.inputs[0]))) && taken(out))
        fail(`the value '${out}' is produced twice (by ${what})`);
      if (n.opType === "Constant") {
        constants.set(out, constantNode(n, what));
      } else if (n.opType === "Identity" && tensors.has(n.inputs[0]) && out) {
        // an exporter's shared copy of an equal initializer: a parameter of its own under this name
        const source = tensors.get(n.inputs[0])!.detach();
        tensors.set(out, keep(source.clone()));
        source.dispose();
        if (parameters.has(n.inputs[0])) parameters.add(out);
      } else nodes.push(n);
    }
    const defined = new Set([inputs[0].name, ...tensors.keys(), ...constants.keys()]);
    const order = topologicalOrder(nodes, defined);
    for (const o of g.outputs)
      if (!defined.has(o.name) && !order.some((n) => n.outputs.includes(o.name))) fail(`the output '${o.name}' is never computed`);
    try {
      return new OnnxModule(model, opset, order, tensors, parameters, constants, inputs[0].name);
    } catch (e) {
      // names the module tree cannot hold ("a..b", "fc" beside "fc.weight")
      fail(`the initializers' names: ${(e as Error).message}`);
    }
  } catch (e) {
    release();
    throw e;
  }
}
