// The package as a user gets it. `npm pack` (what `npm publish` uploads)
// holds what it should and nothing else; installed into a new project with
// no network and an empty HOME, an ESM import, a CommonJS require(), a strict
// tsc over TypeScript (with DOM types, and with @types/node) and
// `npx wasmgrad train` on the shipped offline sample all work. With
// WASMGRAD_TEST_GIT_INSTALL=1 (CI sets it), the same from
// `npm install git+file://<this checkout>` (its committed HEAD), which builds
// the package in `prepare` and needs the npm registry for the build's tools.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "./helpers/temp.js";
import { NEEDS_NO_SYSTEM_MNIST, SYSTEM_HAS_MNIST } from "./helpers/datasets.js";

const root = join(import.meta.dirname, "..");
const fixture = join(import.meta.dirname, "fixtures", "consumer");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");

/** A new project holding the consumer fixture, and an empty HOME to run it with. */
function newProject(parent: string, name: string): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = join(parent, name),
    home = join(parent, `${name}-home`);
  mkdirSync(home, { recursive: true });
  cpSync(fixture, dir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, WASMGRAD_OFFLINE: "1", npm_config_cache: join(home, ".npm") };
  delete env.WASMGRAD_DATA;
  delete env.XDG_CACHE_HOME;
  return { dir, env };
}

function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv): string {
  const r = spawnSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd, env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`npm ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The README's runnable snippets: each ```js block whose first line reads `// <file>: node <file>`. */
function readmeSnippets(): { file: string; code: string }[] {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const out: { file: string; code: string }[] = [];
  for (const m of readme.matchAll(/```js\n(\/\/ (\S+\.[cm]js): node \2\n[\s\S]*?)```/g)) out.push({ file: m[2], code: m[1] });
  return out;
}

/** What every installed copy must do: run as ESM and CommonJS, type-check, and train from the command line offline. */
function checkInstalled(dir: string, env: NodeJS.ProcessEnv): void {
  const node = (args: string[]) =>
    execFileSync(process.execPath, args, { cwd: dir, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const esm = JSON.parse(node(["esm.mjs"]));
  expect(esm.backend).toMatch(/^wasm-(relaxed-simd|simd)$/);
  expect(esm.last).toBeLessThan(esm.first);
  expect(esm.same).toBe(0); // the reloaded weights give the same logits
  if (process.features.require_module) expect(JSON.parse(node(["cjs.cjs"]))).toEqual({ backend: esm.backend, y: 11 });
  // strict tsc: once with the DOM library (a browser project), once with @types/node (copied in, as `npm i -D @types/node` would)
  node([tsc, "-p", "tsconfig.json"]);
  for (const pkg of ["@types/node", "undici-types"])
    cpSync(join(root, "node_modules", pkg), join(dir, "node_modules", pkg), { recursive: true });
  node([tsc, "-p", "tsconfig.node.json"]);
  // the README's snippets run as written; its training loop also type-checks as TypeScript, as it says
  const snippets = readmeSnippets();
  expect(snippets.map((x) => x.file)).toEqual(["example.cjs", "example.mjs", "train.mjs", "model.mjs"]);
  for (const { file, code } of snippets) {
    if (file.endsWith(".cjs") && !process.features.require_module) continue;
    writeFileSync(join(dir, file), code);
    const out = node([file]);
    if (file === "train.mjs") expect(Number(/test accuracy (\d+\.\d\d)%/.exec(out)?.[1])).toBeGreaterThan(85);
    else if (file === "model.mjs") {
      expect(out).toMatch(/conv \(Conv2d\) +\[1,8,8,8\] +\(3\^2 \* 1 \+ 1\) \* 8 = 80/);
      expect(Number(/accuracy (\d+\.\d)%/.exec(out)?.[1])).toBeGreaterThan(90);
      expect(out).toContain("'bn.num_batches_tracked'");
    } else expect(out).toMatch(/^wasm-/);
  }
  writeFileSync(join(dir, "train.ts"), snippets[2].code);
  writeFileSync(join(dir, "tsconfig.readme.json"), JSON.stringify({ extends: "./tsconfig.node.json", files: ["train.ts"] }));
  node([tsc, "-p", "tsconfig.readme.json"]);
  // the bin, as `npx wasmgrad` runs it: no dataset anywhere, so the shipped sample, said plainly
  const r = spawnSync(join(dir, "node_modules", ".bin", "wasmgrad"), ["train", "--model", "mlp-s", "--epochs", "1", "--json"], {
    cwd: dir,
    env,
    encoding: "utf8",
  });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/Using the offline sample instead: 10,000 real MNIST digits shipped with wasmgrad/);
  const summary = JSON.parse(r.stdout);
  expect([summary.sample, summary.trainImages, summary.testImages]).toEqual([true, 8000, 2000]);
  expect(summary.testAccuracy).toBeGreaterThan(0.88);
}

describe("the npm package", () => {
  const work = tempDir("wasmgrad-package-");

  it("packs the build, the sample, README and LICENSE, and nothing else", () => {
    const [info] = JSON.parse(npm(["pack", "--ignore-scripts", "--json", "--pack-destination", work], root, process.env));
    const files: string[] = info.files.map((f: { path: string }) => f.path).sort();
    expect(files.filter((f) => !f.startsWith("dist/"))).toEqual([
      "LICENSE",
      "README.md",
      "build/wasmgrad-relaxed-simd-threads.wasm",
      "build/wasmgrad-relaxed-simd.wasm",
      "build/wasmgrad-scalar.wasm",
      "build/wasmgrad-simd-threads.wasm",
      "build/wasmgrad-simd.wasm",
      "package.json",
      "sample/README.md",
      "sample/mnist/t10k-images-idx3-ubyte.gz",
      "sample/mnist/t10k-labels-idx1-ubyte.gz",
      "sample/mnist/train-images-idx3-ubyte.gz",
      "sample/mnist/train-labels-idx1-ubyte.gz",
    ]);
    expect(files).toContain("dist/index.js");
    expect(files).toContain("dist/index.d.ts");
    expect(files).toContain("dist/cli/main.js");
    expect(files.filter((f) => /\.(map|wat|ts)$/.test(f) && !f.endsWith(".d.ts"))).toEqual([]);
    expect(info.unpackedSize).toBeLessThan(2_800_000); // 2.71 MB on 2026-12-05 (ONNX import and export added), 1.6 MB of it the offline sample
  });

  it("installs from the tarball into a new project and works there offline", (ctx) => {
    if (SYSTEM_HAS_MNIST) ctx.skip(NEEDS_NO_SYSTEM_MNIST);
    const tgz = readdirSync(work).find((f) => f.endsWith(".tgz"));
    expect(tgz).toBeDefined();
    const { dir, env } = newProject(work, "from-tarball");
    npm(["install", "--offline", join(work, tgz!)], dir, env);
    checkInstalled(dir, env);
  }, 120_000);

  it("installs from a git URL (built by `prepare`) and works there offline", (ctx) => {
    if (SYSTEM_HAS_MNIST) ctx.skip(NEEDS_NO_SYSTEM_MNIST);
    if (!process.env.WASMGRAD_TEST_GIT_INSTALL) ctx.skip("set WASMGRAD_TEST_GIT_INSTALL=1 to try it (it needs the npm registry; CI does)");
    const { dir, env } = newProject(work, "from-git");
    // the user's npm cache, not the empty HOME's: the build's tools come from the registry once
    npm(["install", `git+file://${root}`], dir, { ...env, npm_config_cache: process.env.npm_config_cache ?? join(homedir(), ".npm") });
    checkInstalled(dir, env);
  }, 600_000);
});
