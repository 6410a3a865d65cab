// Module: parameters and submodules registered by name, so namedParameters()
// gives PyTorch's state_dict names ("0.weight", "fc1.bias").
import { keep } from "../tidy.js";
import { isTensor, type Tensor } from "../tensor.js";
import { fmtShape, sameShape } from "../shape.js";
import { noGrad } from "../autograd/grad-mode.js";

export abstract class Module {
  training = true;
  private readonly params = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  abstract forward(x: Tensor): Tensor;

  /** Registers a trainable tensor: it requires grad and no tidy() frees it. */
  protected registerParameter(name: string, t: Tensor): Tensor {
    t.requiresGrad = true;
    keep(t);
    this.params.set(name, t);
    return t;
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    if (!(m instanceof Module)) throw new TypeError(`registerModule: '${name}' is not a Module`);
    this.children.set(name, m);
    return m;
  }

  namedParameters(prefix = ""): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, t] of this.params) out.push([prefix + n, t]);
    for (const [n, m] of this.children) out.push(...m.namedParameters(`${prefix}${n}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
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

  /** The parameters by name (the tensors themselves, not copies). */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries(this.namedParameters());
  }

  /** Copies values into the existing parameters; names and shapes must match exactly. */
  loadStateDict(state: Record<string, Tensor> | Map<string, Tensor>): void {
    const entries = state instanceof Map ? state : new Map(Object.entries(state ?? {}));
    const own = new Map(this.namedParameters());
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
}
