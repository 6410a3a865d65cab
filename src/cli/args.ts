// The command line to a command and its arguments, all from the options
// table (options.ts): unknown options, values and options that do not apply
// get the messages the tests hold us to.
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { camel, COMMANDS, helpText, OPTIONS, UsageError, type Args, type Command, type OptionName } from "./options.js";
import { fail, warn } from "./common.js";
import { recipeOptions } from "./recipes.js";

const VERSION: string = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version;
const SEE_HELP = "(wasmgrad --help lists the options)";

const PARSE_OPTIONS = Object.fromEntries(
  Object.entries(OPTIONS).map(([name, o]) => [name, { type: o.kind, ...("short" in o && o.short ? { short: o.short } : {}) }]),
) as Record<OptionName, { type: "string" | "boolean"; short?: string }>;

/**
 * `--epochs -1` as `--epochs=-1`: parseArgs takes a value that starts with a
 * dash for a forgotten value, and its message ("argument is ambiguous")
 * would hide the real mistake, which the checks then name.
 */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const option = argv[i].startsWith("--") ? OPTIONS[argv[i].slice(2) as OptionName] : undefined;
    if (option?.kind === "string" && i + 1 < argv.length && /^-[\d.]/.test(argv[i + 1])) out.push(`${argv[i]}=${argv[++i]}`);
    else out.push(argv[i]);
  }
  return out;
}

export function parse(argv: string[]): [Command, Args] {
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv), allowPositionals: true, options: PARSE_OPTIONS, tokens: true });
  } catch (e) {
    const err = e as Error & { code?: string };
    const unknown = /^Unknown option '([^']*)'/.exec(err.message);
    if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && unknown) fail(`unknown option '${unknown[1]}' ${SEE_HELP}`);
    fail(`${err.message} ${SEE_HELP}`);
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const command = parsed.positionals[0];
  if (v.version) {
    process.stdout.write(`wasmgrad ${VERSION}\n`);
    process.exit(0);
  }
  if (v.help || !command) {
    process.stdout.write(helpText() + "\n");
    process.exit(command || v.help ? 0 : 2);
  }
  if (parsed.positionals.length > 1) fail(`unexpected argument '${parsed.positionals[1]}' ${SEE_HELP}`);
  if (!COMMANDS.includes(command as Command)) fail(`unknown command '${command}' (commands: ${COMMANDS.join(", ")}; wasmgrad --help)`);
  const given = new Set(parsed.tokens.flatMap((t) => (t.kind === "option" ? [t.name as OptionName] : [])));
  for (const name of given) {
    if (!(OPTIONS[name].commands as readonly string[]).includes(command)) warn(`--${name} does not apply to ${command}; ignored`);
  }
  const args: Record<string, unknown> = {};
  try {
    // a recipe's values stand in for options not given
    const recipe = typeof v.recipe === "string" ? recipeOptions(OPTIONS.recipe.parse(v.recipe, "recipe")) : {};
    for (const [name, o] of Object.entries(OPTIONS)) {
      const value = given.has(name as OptionName) ? v[name] : (recipe[name] ?? v[name]);
      if (o.kind === "boolean") args[camel(name)] = value === true;
      else {
        const s = (value as string | undefined) ?? ("default" in o ? o.default : undefined);
        args[camel(name)] = s === undefined ? undefined : (o.parse as (text: string, name: string) => unknown)(s, name);
      }
    }
  } catch (e) {
    if (e instanceof UsageError) fail(e.message);
    throw e;
  }
  const a = args as Args;
  if (given.has("momentum") && a.optimizer !== "sgd") warn(`--momentum applies to --optimizer sgd only; ignored for ${a.optimizer}`);
  if (given.has("build") && a.backend === "js") fail("--build picks a Wasm build: it applies to --backend wasm only");
  return [command as Command, a];
}
