// Every option of the `wasmgrad` command in one table: its kind, the commands
// it applies to, its default, how its text becomes a value (and what a bad one
// says), and its help. The parser (args.ts), the type of the parsed arguments
// and the help text are all derived from it.
import { data, bench } from "../index.js";
import { ALL_MODEL_NAMES } from "../models/reference.js";
import { RECIPE_NAMES } from "./recipes.js";

export const COMMANDS = ["train", "eval", "export", "bench"] as const;
export type Command = (typeof COMMANDS)[number];

/** A bad value: the parser turns it into `wasmgrad: <message>` and exit status 2. */
export class UsageError extends Error {}

interface StringOption<T> {
  kind: "string";
  /** The commands it applies to; given to another one, it is ignored with a warning. */
  commands: readonly Command[];
  /** The value's shape in the help: "N", "FILE", "sgd|adam". */
  value: string;
  /** Help by the commands it is shown under ("train,eval", "bench"). */
  help: Record<string, string>;
  default?: string;
  /** The option's text as a value; throws a UsageError for a bad one. */
  parse: (text: string, name: string) => T;
}

interface FlagOption {
  kind: "boolean";
  commands: readonly Command[];
  help: Record<string, string>;
  short?: string;
}

const int =
  (min: 0 | 1) =>
  (s: string, name: string): number => {
    const n = Number(s);
    if (!/^[+-]?\d+$/.test(s) || !Number.isSafeInteger(n) || n < min)
      throw new UsageError(`--${name} must be a ${min ? "positive" : "non-negative"} integer, got ${s}`);
    return n;
  };

const num =
  (test: (n: number) => boolean, what: string) =>
  (s: string, name: string): number => {
    const n = Number(s);
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s) || !Number.isFinite(n) || !test(n))
      throw new UsageError(`--${name} must be ${what}, got ${s}`);
    return n;
  };

export const oneOf =
  <T extends string>(allowed: readonly T[]) =>
  (s: string, name: string): T => {
    if (!allowed.includes(s as T)) throw new UsageError(`--${name} must be one of ${allowed.join(", ")}, got '${s}'`);
    return s as T;
  };

const text = (s: string) => s;
const listOf =
  <T extends string>(allowed: readonly T[]) =>
  (s: string, name: string): T[] =>
    s.split(",").map((x) => oneOf(allowed)(x, name));

export const DATASETS = Object.keys(data.SOURCES) as data.DatasetName[];
export const OPTIMIZERS = ["sgd", "adam", "adamw", "rmsprop"] as const;
const BOTH: readonly Command[] = ["train", "eval"];

const str = <O extends StringOption<unknown>>(o: O): O => o;
const flag = (o: Omit<FlagOption, "kind">): FlagOption => ({ kind: "boolean", ...o });

/** The options, in the order the help lists them. */
export const OPTIONS = {
  dataset: str({
    kind: "string",
    commands: BOTH,
    value: DATASETS.join("|"),
    help: { "train,eval": "(default mnist; eval: the one the weights were trained on)" },
    parse: oneOf(DATASETS),
  }),
  model: str({
    kind: "string",
    commands: ["train", "eval", "bench"],
    value: ALL_MODEL_NAMES.join("|"),
    help: { "train,eval": "(default cnn-m; eval: the one the weights file names)", bench: "training and inference of this model only" },
    parse: oneOf(ALL_MODEL_NAMES),
  }),
  "data-dir": str({
    kind: "string",
    commands: BOTH,
    value: "DIR",
    help: { "train,eval": "read the four IDX files from DIR" },
    parse: text,
  }),
  backend: str({
    kind: "string",
    commands: BOTH,
    value: "wasm|js",
    default: "wasm",
    help: { "train,eval": "(default wasm: the best build this runtime runs)" },
    parse: oneOf(["wasm", "js"] as const),
  }),
  build: str({
    kind: "string",
    commands: BOTH,
    value: "relaxed-simd|simd|scalar",
    help: { "train,eval": "" },
    parse: oneOf(["relaxed-simd", "simd", "scalar"] as const),
  }),
  threads: str({
    kind: "string",
    commands: ["train", "eval", "bench"],
    value: "N",
    help: { "train,eval": "(default: every core; 1 runs on this thread alone)", bench: "the thread count besides 1 (default: every core)" },
    parse: int(1),
  }),
  "batch-size": str({ kind: "string", commands: BOTH, value: "N", default: "64", help: { "train,eval": "(default 64)" }, parse: int(1) }),
  json: flag({
    commands: ["train", "eval", "bench"],
    help: { "train,eval": "print a machine-readable summary on stdout", bench: "print the report as JSON instead of the tables" },
  }),
  epochs: str({ kind: "string", commands: ["train"], value: "N", default: "1", help: { train: "(default 1)" }, parse: int(1) }),
  optimizer: str({
    kind: "string",
    commands: ["train"],
    value: OPTIMIZERS.join("|"),
    default: "sgd",
    help: { train: "(default sgd)" },
    parse: oneOf(OPTIMIZERS),
  }),
  lr: str({
    kind: "string",
    commands: ["train"],
    value: "X",
    help: { train: "(default 0.05 for sgd, 0.001 otherwise)" },
    parse: num((n) => n > 0, "a positive number"),
  }),
  momentum: str({
    kind: "string",
    commands: ["train"],
    value: "X",
    default: "0.9",
    help: { train: "(sgd, 0 <= X < 1, default 0.9)" },
    parse: num((n) => n >= 0 && n < 1, "at least 0 and below 1"),
  }),
  schedule: str({
    kind: "string",
    commands: ["train"],
    value: "cosine|exponential|none",
    default: "cosine",
    help: { train: "cosine: anneal the learning rate to 0 over all steps; exponential: times --lr-decay every epoch (default cosine)" },
    parse: oneOf(["cosine", "exponential", "none"] as const),
  }),
  "lr-decay": str({
    kind: "string",
    commands: ["train"],
    value: "X",
    default: "0.95",
    help: { train: "the exponential schedule's factor per epoch, 0 < X <= 1 (default 0.95)" },
    parse: num((n) => n > 0 && n <= 1, "above 0 and at most 1"),
  }),
  inputs: str({
    kind: "string",
    commands: ["train", "eval"],
    value: "standardized|symmetric",
    default: "standardized",
    help: { train: "pixels minus MNIST's mean over its deviation, or scaled to [-1, 1] (default standardized)" },
    parse: oneOf(["standardized", "symmetric"] as const),
  }),
  recipe: str({
    kind: "string",
    commands: ["train"],
    value: RECIPE_NAMES.join("|"),
    help: { train: "a published run's options (docs/CIRESAN.md); options given too override it" },
    parse: oneOf(RECIPE_NAMES),
  }),
  augment: flag({ commands: ["train"], help: { train: "random shifts, small affine transforms, elastic distortions" } }),
  save: str({
    kind: "string",
    commands: ["train"],
    value: "FILE",
    help: { train: "write the weights as safetensors (also after Ctrl-C)" },
    parse: text,
  }),
  seed: str({
    kind: "string",
    commands: ["train"],
    value: "N",
    default: "1",
    help: { train: "(default 1): the same seed repeats the same run" },
    parse: int(0),
  }),
  limit: str({ kind: "string", commands: ["train"], value: "N", help: { train: "train on the first N images only" }, parse: int(1) }),
  validation: str({
    kind: "string",
    commands: ["train"],
    value: "N",
    help: { train: "hold out the last N training images; report the test error at the best validation epoch" },
    parse: int(1),
  }),
  checkpoint: str({
    kind: "string",
    commands: ["train"],
    value: "FILE",
    help: { train: "after every epoch, write all the next epoch needs (atomically)" },
    parse: text,
  }),
  resume: str({
    kind: "string",
    commands: ["train"],
    value: "FILE",
    help: { train: "go on from a checkpoint, to the same numbers as a run never stopped" },
    parse: text,
  }),
  "test-limit": str({
    kind: "string",
    commands: BOTH,
    value: "N",
    help: { "train,eval": "test on the first N images only" },
    parse: int(1),
  }),
  weights: str({
    kind: "string",
    commands: ["eval", "export"],
    value: "FILE",
    help: { eval: "safetensors written by train --save", export: "safetensors written by train --save (the model named in its metadata)" },
    parse: text,
  }),
  onnx: str({
    kind: "string",
    commands: ["eval", "export"],
    value: "FILE",
    help: {
      eval: "an ONNX model instead of --weights (its own or another framework's: input scaling from its metadata, MNIST's by default)",
      export: "the ONNX file to write (atomically)",
    },
    parse: text,
  }),
  opset: str({
    kind: "string",
    commands: ["export"],
    value: "N",
    default: "17",
    help: { export: "the ONNX opset to write, 13 to 20 (default 17)" },
    parse: num((n) => Number.isInteger(n) && n >= 13 && n <= 20, "a whole number from 13 to 20"),
  }),
  quick: flag({ commands: ["bench"], help: { bench: "about a minute: fewer sizes, one round" } }),
  suite: str({
    kind: "string",
    commands: ["bench"],
    value: bench.SUITES.join(","),
    help: { bench: "(default: all three)" },
    parse: listOf(bench.SUITES),
  }),
  out: str({
    kind: "string",
    commands: ["bench"],
    value: "FILE",
    help: { bench: "write the report as JSON, every sample (atomically)" },
    parse: text,
  }),
  help: flag({ commands: [], short: "h", help: { "": "print this help" } }),
  version: flag({ commands: [], short: "v", help: { "": "print the version" } }),
} as const;

export type OptionName = keyof typeof OPTIONS;

type Camel<S extends string> = S extends `${infer A}-${infer B}` ? `${A}${Capitalize<Camel<B>>}` : S;
type ValueOf<O> = O extends FlagOption
  ? boolean
  : O extends { parse: (text: string, name: string) => infer T }
    ? O extends { default: string }
      ? T
      : T | undefined
    : never;

/** The parsed command line: each option by its camelCase name, defaults filled in. */
export type Args = { -readonly [K in OptionName as Camel<K>]: ValueOf<(typeof OPTIONS)[K]> };

export const camel = (name: string) => name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

const SECTIONS: [key: string, title: string][] = [
  ["train,eval", "options (train, eval):"],
  ["train", "train:"],
  ["eval", "eval:"],
  ["export", "export:"],
  ["bench", "bench:"],
];

/** The help text, from the table. */
export function helpText(): string {
  const line = (name: string, o: StringOption<unknown> | FlagOption, help: string) => {
    const head = `  --${name}${o.kind === "string" ? ` ${o.value}` : ""}`;
    return help === "" ? head : head.length >= 24 ? `${head}\n${" ".repeat(24)}${help}` : `${head.padEnd(24)}${help}`;
  };
  const entries = Object.entries(OPTIONS) as [string, (StringOption<unknown> | FlagOption) & { help: Record<string, string> }][];
  const sections = SECTIONS.map(([key, title]) => {
    const lines = entries.flatMap(([name, o]) => (o.help[key] === undefined ? [] : [line(name, o, o.help[key])]));
    return [title, ...lines].join("\n");
  });
  const general = entries.flatMap(([name, o]) => (o.commands.length === 0 ? [line(name, o, o.help[""])] : []));
  return `usage: wasmgrad <command> [options]

commands:
  train   train a reference model on an MNIST-family dataset
  eval    report test accuracy and the confusion matrix of saved weights (or an ONNX model)
  export  write saved weights as an ONNX model, for ONNX Runtime and other serving runtimes
  bench   the benchmark suites (kernels, training, inference) on every backend

${sections.join("\n")}
  In a clone, \`npm run bench\` adds the peers (TensorFlow.js, jax-js, PyTorch).

${general.join("\n")}

Data is looked for in --data-dir, $WASMGRAD_DATA/<dataset>/, ~/.cache/wasmgrad/<dataset>/
and /usr/share/datasets/<dataset>/, then downloaded into the cache (not when
WASMGRAD_OFFLINE is set); with neither, mnist trains on the 10,000-digit
offline sample shipped with wasmgrad, and says so.

Ctrl-C (or SIGTERM) during training stops after the current batch, still saves,
and exits with 130 (143); a second one quits at once.`;
}
