// Module: parameters, buffers and submodules registered by name, so
// stateDict() gives PyTorch's state_dict names and order ("0.weight",
// "bn1.running_mean": each module's parameters, then its buffers, then its
// children's). Parameters train; buffers (BatchNorm's running statistics)
// are state that is saved and loaded but never trained.
import { keep, tidy } from "../tidy.js";
import { isTensor, type Tensor } from "../tensor.js";
import { checkShape, fmtShape, sameShape } from "../shape.js";
import { noGrad } from "../autograd/grad-mode.js";
import { zeros } from "../creation.js";
import { thousands } from "../format.js";

export abstract class Module {
  training = true;
  private readonly params = new Map<string, Tensor>();
  private readonly buffersByName = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  abstract forward(x: Tensor): Tensor;

  /** Registers a trainable tensor: it requires grad and no tidy() frees it. */
  protected registerParameter(name: string, t: Tensor): Tensor {
    this.checkName("registerParameter", name);
    t.requiresGrad = true;
    keep(t);
    this.params.set(name, t);
    return t;
  }

  /** Registers state that is saved and loaded with the parameters but not trained (running statistics, counters). */
  protected registerBuffer(name: string, t: Tensor): Tensor {
    this.checkName("registerBuffer", name);
    if (!isTensor(t)) throw new TypeError(`registerBuffer: '${name}' is not a Tensor`);
    t.requiresGrad = false;
    keep(t);
    this.buffersByName.set(name, t);
    return t;
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    if (!(m instanceof Module)) throw new TypeError(`registerModule: '${name}' is not a Module`);
    this.checkName("registerModule", name);
    this.children.set(name, m);
    return m;
  }

  private checkName(op: string, name: string): void {
    if (typeof name !== "string" || name === "" || name.includes("."))
      throw new TypeError(`${op}: name must be a non-empty string without '.', got ${JSON.stringify(name)}`);
    const taken = this.params.has(name) || this.buffersByName.has(name) || this.children.has(name);
    if (taken) throw new Error(`${op}: '${name}' is already registered on this module`);
  }

  /** The tensors of one kind (parameters or buffers) of this module and its children, by dotted name. */
  private named(kind: "params" | "buffersByName", prefix: string): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, t] of this[kind]) out.push([prefix + n, t]);
    for (const [n, m] of this.children) out.push(...m.named(kind, `${prefix}${n}.`));
    return out;
  }

  namedParameters(prefix = ""): [string, Tensor][] {
    return this.named("params", prefix);
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  namedBuffers(prefix = ""): [string, Tensor][] {
    return this.named("buffersByName", prefix);
  }

  buffers(): Tensor[] {
    return this.namedBuffers().map(([, t]) => t);
  }

  /** The direct submodules by name. */
  namedChildren(): [string, Module][] {
    return [...this.children];
  }

  numParameters(): number {
    return this.parameters().reduce((s, t) => s + t.size, 0);
  }

  modules(): Module[] {
    return [this, ...[...this.children.values()].flatMap((m) => m.modules())];
  }

  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Parameters and buffers by name, in PyTorch's order (the tensors themselves, not copies). */
  stateDict(prefix = ""): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [n, t] of this.params) out[prefix + n] = t;
    for (const [n, t] of this.buffersByName) out[prefix + n] = t;
    for (const [n, m] of this.children) Object.assign(out, m.stateDict(`${prefix}${n}.`));
    return out;
  }

  /** Copies values into the existing parameters and buffers; names and shapes must match exactly. */
  loadStateDict(state: Record<string, Tensor> | Map<string, Tensor>): void {
    const entries = state instanceof Map ? state : new Map(Object.entries(state ?? {}));
    const own = new Map(Object.entries(this.stateDict()));
    const missing = [...own.keys()].filter((k) => !entries.has(k));
    const unexpected = [...entries.keys()].filter((k) => !own.has(k));
    if (missing.length || unexpected.length) {
      throw new Error(
        `loadStateDict: ${missing.length ? `missing ${missing.join(", ")}` : ""}` +
          `${missing.length && unexpected.length ? "; " : ""}${unexpected.length ? `unexpected ${unexpected.join(", ")}` : ""}`,
      );
    }
    for (const [name, t] of own) {
      const src = entries.get(name);
      if (!isTensor(src)) throw new TypeError(`loadStateDict: '${name}' is not a Tensor`);
      if (!sameShape(src.shape, t.shape)) {
        throw new Error(`loadStateDict: '${name}' has shape ${fmtShape(src.shape)}, the model expects ${fmtShape(t.shape)}`);
      }
    }
    noGrad(() => {
      for (const [name, t] of own) t.copy_(entries.get(name)!);
    });
  }

  /** How the layer's parameter count is worked out, for summary() (Linear and Conv2d give the lecture's formula). */
  paramFormula(): string | null {
    return null;
  }

  /**
   * A table of the layers a forward pass of zeros of `inputShape` (the batch
   * included, e.g. [1, 1, 28, 28]) goes through: each layer's output shape
   * and parameter count (the lecture's formula for Linear and Conv2d), and
   * the totals. Runs in eval mode, without a tape, and changes nothing.
   */
  summary(inputShape: readonly number[]): string {
    const shape = checkShape("summary", [...inputShape]);
    const names = new Map<Module, string>();
    const walk = (m: Module, prefix: string) => {
      for (const [n, c] of m.children) {
        names.set(c, prefix + n);
        walk(c, `${prefix}${n}.`);
      }
    };
    walk(this, "");
    if (this.children.size === 0) names.set(this, "(model)"); // a single layer is its own row
    const rows = [...names].filter(([m]) => m.children.size === 0 || m.params.size > 0).map(([m]) => m);
    const outputs = new Map<Module, number[]>();
    const modes = this.modules().map((m) => [m, m.training] as const);
    const hooked = rows.map((m) => {
      const original = m.forward;
      const ownForward = Object.prototype.hasOwnProperty.call(m, "forward");
      m.forward = (x: Tensor) => {
        const y = original.call(m, x);
        if (!outputs.has(m)) outputs.set(m, y.shape.slice());
        return y;
      };
      return [m, original, ownForward] as const;
    });
    try {
      this.eval();
      noGrad(() => tidy(() => void this.forward(zeros(shape))));
    } finally {
      for (const [m, original, ownForward] of hooked) {
        if (ownForward) m.forward = original;
        else delete (m as { forward?: unknown }).forward; // the prototype's forward again
      }
      for (const [m, mode] of modes) m.training = mode;
    }
    const own = (m: Module) => [...m.params.values()].reduce((a, t) => a + t.size, 0);
    const table = [
      ["Layer (type)", "Output shape", "Parameters"],
      ["input", fmtShape(shape), ""],
      ...rows.map((m) => {
        const count = own(m);
        return [
          `${names.get(m)} (${m.constructor.name})`,
          outputs.has(m) ? fmtShape(outputs.get(m)!) : "(not called)",
          count === 0 ? "0" : (m.paramFormula() ?? thousands(count)),
        ];
      }),
    ];
    const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
    const line = (r: string[]) =>
      r
        .map((cell, c) => (c === 2 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
        .join("   ")
        .trimEnd();
    const rule = "-".repeat(widths.reduce((a, b) => a + b, 0) + 6);
    const total = this.numParameters();
    const trainable = this.parameters().reduce((a, t) => a + (t.requiresGrad ? t.size : 0), 0);
    const buffers = this.buffers().reduce((a, t) => a + t.size, 0);
    return [
      line(table[0]),
      rule,
      ...table.slice(1).map(line),
      rule,
      `Total parameters: ${thousands(total)}`,
      `Trainable parameters: ${thousands(trainable)}`,
      ...(buffers > 0 ? [`Buffer values (not trained): ${thousands(buffers)}`] : []),
    ].join("\n");
  }

  /** One line describing this module's own settings (PyTorch's extra_repr), e.g. "784, 128, bias=true". */
  protected extraRepr(): string {
    return "";
  }

  /** The layers as PyTorch prints a model: Name(settings) with the children indented. */
  toString(): string {
    const name = this.constructor.name;
    const kids = [...this.children];
    if (kids.length === 0) return `${name}(${this.extraRepr()})`;
    const lines = kids.map(([n, m]) => `  (${n}): ${m.toString().split("\n").join("\n  ")}`);
    const extra = this.extraRepr();
    return `${name}(${extra ? `\n  ${extra}` : ""}\n${lines.join("\n")}\n)`;
  }

  /** Node's util.inspect (console.log of a model) prints toString(). */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
