// The package in every browser setup a web developer tries first, each with
// no configuration of ours: a page with an import map (no bundler), the Vite
// dev server, `vite build`, esbuild --bundle (esm and iife, with the
// wasmgrad/embedded entry, since esbuild does not copy .wasm files), webpack
// 5, and a server that sends .wasm with the wrong MIME type. Each page runs
// test/fixtures/web/check.js in the page and in a module Worker: a known
// gradient and 50 training steps of a small MLP whose loss falls, on every
// backend. The package is the packed tarball, installed into a new project.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { CHROMIUM, hasChromium, launchChromium, serve, type StaticServer } from "./helpers/chromium.js";
import { tempDir } from "./helpers/temp.js";

const root = join(import.meta.dirname, "..");
const fixture = join(import.meta.dirname, "fixtures", "web");
const work = tempDir("wasmgrad-web-");
const BACKENDS = ["js", "wasm-relaxed-simd", "wasm-simd", "wasm-scalar"];

interface CheckResult {
  backend: string;
  threads: number;
  grad: number[][];
  first: number;
  last: number;
}
type Side = CheckResult[] | { error: string };

/** A new project holding the fixture and the packed package in node_modules/wasmgrad. */
function project(name: string, tarball: string): string {
  const dir = join(work, name);
  cpSync(fixture, dir, { recursive: true });
  mkdirSync(join(dir, "node_modules", "wasmgrad"), { recursive: true });
  execFileSync("tar", ["xzf", tarball, "-C", join(dir, "node_modules", "wasmgrad"), "--strip-components=1"]);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `web-${name}`, private: true, type: "module" }));
  return dir;
}

function rewrite(file: string, from: string | RegExp, to: string): void {
  writeFileSync(file, readFileSync(file, "utf8").replace(from, to));
}

/** Opens the page, waits for both sides' results, and returns them with the console warnings. */
async function open(browser: Browser, url: string): Promise<{ page: Side; worker: Side; warnings: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const warnings: string[] = [];
  const errors: string[] = [];
  // the page's console events include its workers' messages
  page.on("console", (m) => (m.type() === "warning" ? warnings.push(m.text()) : m.type() === "error" ? errors.push(m.text()) : 0));
  page.on("pageerror", (e) => errors.push(e.message));
  const failed: string[] = [];
  page.on("response", (r) => r.status() >= 400 && failed.push(r.url()));
  await page.goto(url);
  try {
    await page.waitForFunction(() => (window as unknown as { __results?: unknown }).__results !== undefined, null, { timeout: 30_000 });
  } catch (e) {
    throw new Error(`no results from ${url}: ${errors.join("; ") || (e as Error).message} (requests that failed: ${failed.join(", ")})`, {
      cause: e,
    });
  }
  const results = await page.evaluate(() => (window as unknown as { __results: { page: Side; worker: Side } }).__results);
  await context.close();
  return { ...results, warnings };
}

/** Every backend learned and got the known gradient; `threads` is how many the SIMD builds ran on. */
function expectTrained(side: Side, where: string, threads = 1): void {
  expect("error" in side ? side.error : null, where).toBeNull();
  const results = side as CheckResult[];
  expect(results.map((r) => r.backend)).toEqual(BACKENDS);
  expect(results.map((r) => r.threads)).toEqual([1, threads, threads, 1]); // js and scalar run on one
  for (const r of results) {
    expect(r.grad, `${where}, ${r.backend}`).toEqual([
      [4, 0, 4],
      [6, 0, 6],
    ]);
    expect(r.last, `${where}, ${r.backend}: the loss falls`).toBeLessThan(0.5 * r.first);
  }
}

const NO_CHROMIUM = `needs Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;

describe("the package in browser setups (Chromium)", () => {
  let browser: Browser;
  let tarball = "";
  const servers: StaticServer[] = [];
  beforeAll(async () => {
    if (!hasChromium) return;
    const out = execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work, "--loglevel=error"], {
      cwd: root,
      encoding: "utf8",
    });
    tarball = join(work, JSON.parse(out)[0].filename);
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    for (const s of servers) await s.close();
  });

  const importMap = (dir: string) => {
    rewrite(
      join(dir, "index.html"),
      "<!--IMPORTMAP-->",
      `<script type="importmap">{ "imports": { "wasmgrad": "/node_modules/wasmgrad/dist/index.js" } }</script>`,
    );
    // import maps do not reach module workers: a Worker imports the package by its path
    rewrite(join(dir, "worker.js"), '"wasmgrad"', '"/node_modules/wasmgrad/dist/index.js"');
  };

  it("no bundler: an import map", async (ctx) => {
    if (!hasChromium) ctx.skip(NO_CHROMIUM);
    const dir = project("importmap", tarball);
    importMap(dir);
    const s = await serve(dir);
    servers.push(s);
    const r = await open(browser, s.url);
    expectTrained(r.page, "page");
    expectTrained(r.worker, "worker");
    expect(r.warnings).toEqual([]);
  });

  it("a cross-origin-isolated page: the Worker computes on every core, the page (which may not block) on one", async (ctx) => {
    if (!hasChromium) ctx.skip(NO_CHROMIUM);
    const dir = project("isolated", tarball);
    importMap(dir);
    const s = await serve(dir, "application/wasm", true);
    servers.push(s);
    const r = await open(browser, s.url);
    expectTrained(r.page, "page", 1);
    const cores = await (async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const n = await page.evaluate(() => navigator.hardwareConcurrency);
      await context.close();
      return n;
    })();
    expectTrained(r.worker, "worker", cores);
  });

  it("a server that sends .wasm as application/octet-stream: one download per build and context, one warning each", async (ctx) => {
    if (!hasChromium) ctx.skip(NO_CHROMIUM);
    const dir = project("wrong-mime", tarball);
    importMap(dir);
    const s = await serve(dir, "application/octet-stream");
    servers.push(s);
    const r = await open(browser, s.url);
    expectTrained(r.page, "page");
    expectTrained(r.worker, "worker");
    for (const build of ["relaxed-simd", "simd", "scalar"]) {
      expect(s.requests.filter((p) => p.endsWith(`wasmgrad-${build}.wasm`)).length).toBeLessThanOrEqual(2); // the page's and the worker's
    }
    expect(r.warnings.length).toBeLessThanOrEqual(2);
    for (const w of r.warnings) expect(w).toMatch(/served as 'application\/octet-stream', not application\/wasm/);
  });

  it("the Vite dev server", async (ctx) => {
    if (!hasChromium) ctx.skip(NO_CHROMIUM);
    const dir = project("vite-dev", tarball);
    const { createServer } = await import("vite");
    const server = await createServer({ root: dir, logLevel: "silent", server: { port: 0, host: "127.0.0.1" } });
    await server.listen();
    try {
      const r = await open(browser, server.resolvedUrls!.local[0]);
      expectTrained(r.page, "page");
      expectTrained(r.worker, "worker");
    } finally {
      await server.close();
    }
  });

  it("vite build: the .wasm files copied, nothing externalized, no .wat", async (ctx) => {
    if (!hasChromium) ctx.skip(NO_CHROMIUM);
    const dir = project("vite-build", tarball);
    const { build } = await import("vite");
    const logged: string[] = [];
    const customLogger = {
      info: () => {},
      warn: (m: string) => logged.push(m),
      warnOnce: (m: string) => logged.push(m),
      error: (m: string) => logged.push(m),
      clearScreen: () => {},
      hasErrorLogged: () => false,
      hasWarned: false,
    };
    await build({ root: dir, logLevel: "warn", customLogger, build: { outDir: join(dir, "site") } });
    expect(logged).toEqual([]);
    const assets = readdirSync(join(dir, "site", "assets"));
    expect(assets.filter((f) => f.endsWith(".wasm")).length).toBe(5); // three builds, two of them again for threads
    expect(assets.filter((f) => f.endsWith(".wat"))).toEqual([]);
    const s = await serve(join(dir, "site"));
    servers.push(s);
    const r = await open(browser, s.url);
    expectTrained(r.page, "page");
    expectTrained(r.worker, "worker");
  }, 120_000);

  it.for(["esm", "iife"] as const)("esbuild --bundle --format=%s with wasmgrad/embedded", async (format, ctx) => {
    if (!hasChromium) ctx.skip(NO_CHROMIUM);
    const dir = project(`esbuild-${format}`, tarball);
    for (const f of ["main.js", "worker.js"]) rewrite(join(dir, f), '"wasmgrad"', '"wasmgrad/embedded"');
    // an iife has no import.meta: the page names its worker's URL from the document
    if (format === "iife") rewrite(join(dir, "main.js"), "import.meta.url", "document.baseURI");
    const esbuild = await import("esbuild");
    const result = await esbuild.build({
      entryPoints: [join(dir, "main.js"), join(dir, "worker.js")],
      bundle: true,
      format,
      outdir: join(dir, "site"),
      logLevel: "silent",
      minify: true,
    });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    cpSync(join(dir, "index.html"), join(dir, "site", "index.html"));
    if (format === "iife") rewrite(join(dir, "site", "index.html"), '<script type="module" src="./main.js">', '<script src="./main.js">');
    const s = await serve(join(dir, "site"));
    servers.push(s);
    const r = await open(browser, s.url);
    expectTrained(r.page, "page");
    expectTrained(r.worker, "worker");
    expect(s.requests.filter((p) => p.endsWith(".wasm"))).toEqual([]); // the builds came inside the bundle
  });

  it("webpack 5", async (ctx) => {
    if (!hasChromium) ctx.skip(NO_CHROMIUM);
    const dir = project("webpack", tarball);
    const { default: webpack } = await import("webpack");
    const stats = await new Promise<import("webpack").Stats>((resolve, reject) =>
      webpack(
        {
          mode: "production",
          context: dir,
          entry: "./main.js",
          output: { path: join(dir, "site") },
        },
        (err, st) => (err || !st ? reject(err) : resolve(st)),
      ),
    );
    const info = stats.toJson({ all: false, errors: true, warnings: true, assets: true });
    expect(info.errors).toEqual([]);
    expect(info.warnings).toEqual([]);
    expect(info.assets!.filter((a) => a.name.endsWith(".wasm")).length).toBe(5);
    cpSync(join(dir, "index.html"), join(dir, "site", "index.html"));
    const s = await serve(join(dir, "site"));
    servers.push(s);
    const r = await open(browser, s.url);
    expectTrained(r.page, "page");
    expectTrained(r.worker, "worker");
  }, 120_000);
});
