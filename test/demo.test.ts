// The web demo end to end, as a visitor uses it: the built site (npm run
// build:demo) served cross-origin isolated and opened in headless Chromium.
// It trains MLP-S in the Worker on the offline sample, reads a drawn stroke
// as a 1, trains again on the js backend, filters with Sobel, shows the
// lecture's worked example, and exchanges safetensors files with the CLI
// both ways. Screenshots land in test/artifacts/ (not committed). And the
// dev server (npm run demo) serves the same page, with the datasets the
// library's lookup finds.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { hasChromium, launchChromium, serve, type StaticServer } from "./helpers/chromium.js";
import { tempDir } from "./helpers/temp.js";
import { io } from "../src/index.js";

const root = join(import.meta.dirname, "..");
const artifacts = join(root, "test", "artifacts");
const work = tempDir("wasmgrad-demo-");
const sample = join(root, "sample", "mnist");
const cli = (...args: string[]) =>
  JSON.parse(
    execFileSync(process.execPath, [join(root, "dist", "cli", "main.js"), ...args, "--json"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WASMGRAD_OFFLINE: "1" },
    }),
  );

describe.skipIf(!hasChromium)("the web demo", () => {
  let browser: Browser, server: StaticServer, page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const { build } = await import("vite");
    const site = join(work, "site");
    await build({ configFile: join(root, "demo", "vite.config.ts"), build: { outDir: site }, logLevel: "error" });
    server = await serve(site, "application/wasm", true);
    browser = await launchChromium();
    page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1280, height: 1000 } });
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForFunction(() => document.getElementById("status")?.dataset.backend?.startsWith("wasm-"));
    await page.waitForFunction(() => document.getElementById("data-source")?.textContent?.includes("mnist-sample"));
    mkdirSync(artifacts, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const train = async (steps: number) => {
    await page.fill("#steps", String(steps));
    await page.fill("#epochs", "20");
    await page.evaluate(() => delete document.getElementById("train-status")!.dataset.accuracy);
    await page.click("#start");
    await page.waitForFunction(() => document.getElementById("train-status")!.dataset.accuracy !== undefined, null, { timeout: 120_000 });
    return page.evaluate(() => ({
      accuracy: Number(document.getElementById("train-status")!.dataset.accuracy),
      text: document.getElementById("train-status")!.textContent!,
    }));
  };

  it("trains MLP-S in the Worker (threads where the page is isolated) to above 90% on the sample's test set", async () => {
    const status = await page.textContent("#status");
    expect(status).toContain("cross-origin isolated");
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    expect(status).toContain(`${cores} thread`); // every core the browser reports
    expect(await page.textContent("#layers")).toContain("(784 + 1) * 128 = 100,480");
    const r = await train(600);
    expect(r.text).toContain("after 600 steps");
    expect(r.accuracy).toBeGreaterThan(0.9);
    await page.screenshot({ path: join(artifacts, "demo-train.png"), fullPage: true });
  }, 180_000);

  it("reads a vertical stroke as a 1, and shows the first layer's weights", async () => {
    await page.click('#tabs button[data-tab="draw"]');
    const box = (await page.locator("#pad").boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.15);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.85, { steps: 12 });
    await page.mouse.up();
    await page.waitForFunction(() => document.getElementById("probs")?.dataset.top === "1");
    await page.screenshot({ path: join(artifacts, "demo-draw.png") });
    await page.click('#tabs button[data-tab="learns"]');
    expect(await page.locator("#tiles canvas").count()).toBe(64);
    await page.screenshot({ path: join(artifacts, "demo-learns.png") });
  });

  it("plots the MLP's confidence against the shift", async () => {
    await page.click('#tabs button[data-tab="shift"]');
    await page.selectOption("#shift-class", "1");
    await page.click("#shift-run");
    await page.waitForFunction(() => document.getElementById("shift-chart")!.dataset.series !== undefined);
    const series = JSON.parse((await page.getAttribute("#shift-chart", "data-series"))!);
    expect(series).toHaveLength(1);
    expect(series[0].kind).toBe("mlp");
    expect(series[0].confidence).toHaveLength(9);
    expect(series[0].confidence[4]).toBeGreaterThan(0.5); // unshifted
  });

  it("switches to the js backend, keeps the weights, and trains there", async () => {
    await page.click('#tabs button[data-tab="train"]');
    await page.selectOption("#backend", "js");
    await page.waitForFunction(() => document.getElementById("status")?.dataset.backend === "js");
    expect(await page.textContent("#status")).toContain("1 thread");
    const r = await train(30);
    expect(r.text).toContain("after 30 steps");
    expect(r.accuracy).toBeGreaterThan(0.9); // it went on from the trained weights
  }, 120_000);

  it("times each backend on the model, side by side", async () => {
    await page.click("#compare");
    await page.waitForFunction(() => document.getElementById("compare-chart")!.dataset.rows !== undefined, null, { timeout: 60_000 });
    const rows: { label: string; value: number }[] = JSON.parse((await page.getAttribute("#compare-chart", "data-rows"))!);
    expect(rows.map((r) => r.label.split(" ")[0])).toEqual(["wasm-relaxed-simd", "wasm-simd", "wasm-scalar", "js"]);
    for (const r of rows) expect(r.value).toBeGreaterThan(0);
    expect(await page.locator("#compare-chart svg").count()).toBe(1);
  }, 60_000);

  it("filters the drawing with Sobel, and shows the worked example's numbers", async () => {
    await page.click('#tabs button[data-tab="conv"]');
    await page.selectOption("#kernel", "sobel-x");
    // a vertical stroke has a left edge (positive) and a right edge (negative) under the horizontal gradient
    const range = (await page.textContent("#conv-range"))!;
    const [lo, hi] = [...range.matchAll(/(-?\d+\.\d+)/g)].map((m) => Number(m[1]));
    expect(lo).toBeLessThan(-1);
    expect(hi).toBeGreaterThan(1);
    expect(await page.locator("#ex-output td").allTextContents()).toEqual(["12", "12", "17", "10", "17", "19", "9", "6", "14"]);
    await page.click("#ex-step");
    expect(await page.textContent("#ex-sum")).toBe("output[0][0] = 3*0 + 3*1 + 2*2 + 0*2 + 0*2 + 1*0 + 3*0 + 1*1 + 2*2 = 12");
    await page.screenshot({ path: join(artifacts, "demo-conv.png"), fullPage: true });
  });

  it("runs the training suite in a Worker on the Benchmark tab, and its JSON has the shape of Node's", async () => {
    await page.click('#tabs button[data-tab="bench"]');
    await page.uncheck("#bench-kernels");
    await page.click("#bench-run");
    await page.waitForFunction(() => document.getElementById("bench-output")!.dataset.done === "true", null, { timeout: 120_000 });
    // the training table, and with threads the table of each count's speedup over one thread
    const threaded = (await page.evaluate(() => navigator.hardwareConcurrency)) > 1;
    expect(await page.locator("#bench-tables table").count()).toBe(threaded ? 2 : 1);
    if (threaded) expect(await page.locator("#bench-tables").textContent()).toContain("speedup over one thread");
    expect(await page.locator("#bench-speedup svg, #bench-training svg").count()).toBe(2);
    await page.screenshot({ path: join(artifacts, "demo-bench.png"), fullPage: true });
    const download = page.waitForEvent("download");
    await page.click("#bench-download");
    const file = join(work, "bench.json");
    await (await download).saveAs(file);
    const browser = JSON.parse(readFileSync(file, "utf8"));
    const node = cli("bench", "--quick", "--suite", "training", "--model", "mlp-s", "--threads", "2");
    expect(Object.keys(browser)).toEqual(Object.keys(node));
    expect(browser.environment.where).toBe("worker");
    expect(browser.workloads.find((w: { id: string }) => w.id === "train mlp-s")).toEqual(node.workloads[0]);
    const ours = ["wasm-relaxed-simd", "wasm-simd", "wasm-scalar", "js", "wasm-relaxed-simd x2", "wasm-simd x2"];
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const expected = cores > 1 ? ours.map((n) => n.replace("x2", `x${cores}`)) : ours.slice(0, 4);
    expect(browser.contenders.map((c: { name: string }) => c.name)).toEqual([...expected, "jax-js"]);
    for (const row of browser.results) {
      expect(Object.keys(row).every((k) => ["workload", "contender", "samplesMs", "medianMs", "minMs", "maxMs", "error"].includes(k))).toBe(
        true,
      );
      if (row.contender !== "jax-js") expect(row.medianMs).toBeGreaterThan(0); // ours run every training workload
    }
  }, 180_000);

  it("loads weights trained by `wasmgrad train --save`, and its download evaluates in `wasmgrad eval`", async () => {
    const file = join(work, "cli.safetensors");
    cli("train", "--model", "mlp-s", "--data-dir", sample, "--limit", "3000", "--threads", "1", "--save", file);
    const cliEval = cli("eval", "--weights", file, "--data-dir", sample, "--threads", "1");
    await page.click('#tabs button[data-tab="train"]');
    await page.evaluate(() => delete document.getElementById("train-status")!.dataset.accuracy);
    await page.setInputFiles("#load", file);
    await page.waitForFunction(() => document.getElementById("train-status")!.dataset.accuracy !== undefined);
    const pageAccuracy = Number(await page.getAttribute("#train-status", "data-accuracy"));
    expect(pageAccuracy).toBeCloseTo(cliEval.accuracy, 3); // the same weights on the same test images

    const download = page.waitForEvent("download");
    await page.click("#save");
    const saved = join(work, "page.safetensors");
    await (await download).saveAs(saved);
    expect(io.safetensorsMetadata(readFileSync(saved))).toMatchObject({ model: "mlp-s" });
    const back = cli("eval", "--weights", saved, "--data-dir", sample, "--threads", "1");
    expect(back.accuracy).toBeCloseTo(pageAccuracy, 3);
  }, 120_000);

  it("trains by the Ciresan recipe: its settings in the fields, validation and test error each epoch, downloads (safetensors, ONNX) `wasmgrad eval` reads as such", async () => {
    await page.click('#tabs button[data-tab="train"]');
    await page.selectOption("#model", "recipe:ciresan2010-minibatch");
    expect([await page.inputValue("#lr"), await page.inputValue("#batch"), await page.inputValue("#epochs")]).toEqual([
      "0.02",
      "64",
      "900",
    ]);
    expect(await page.isChecked("#augment")).toBe(true);
    expect(await page.textContent("#recipe-about")).toContain("a cosine schedule");
    await page.waitForFunction(() => document.getElementById("layers")!.textContent!.includes("(1,000 + 1) * 500 = 500,500")); // 784-1000-500-10
    await page.fill("#epochs", "2");
    await page.fill("#steps", "0");
    await page.evaluate(() => delete document.getElementById("train-status")!.dataset.accuracy);
    await page.click("#start");
    await page.waitForFunction(() => /validation error [\d.]+%/.test(document.getElementById("train-status")!.textContent!), null, {
      timeout: 120_000,
    });
    await page.waitForFunction(() => document.getElementById("train-status")!.dataset.accuracy !== undefined, null, { timeout: 120_000 });
    const pageAccuracy = Number(await page.getAttribute("#train-status", "data-accuracy"));
    expect(pageAccuracy).toBeGreaterThan(0.85);

    const download = page.waitForEvent("download");
    await page.click("#save");
    const saved = join(work, "recipe.safetensors");
    await (await download).saveAs(saved);
    expect(io.safetensorsMetadata(readFileSync(saved))).toMatchObject({ model: "mlp-ciresan", inputs: "symmetric" });
    const back = cli("eval", "--weights", saved, "--data-dir", sample, "--threads", "1");
    expect(back.accuracy).toBeCloseTo(pageAccuracy, 3); // scaled to [-1, 1] there too, from the file

    // and as ONNX: the same accuracy in eval --onnx, from the file alone (model, inputs in [-1, 1] from its metadata)
    const onnxDownload = page.waitForEvent("download");
    await page.click("#save-onnx");
    const onnx = join(work, "recipe.onnx");
    await (await onnxDownload).saveAs(onnx);
    expect((await onnxDownload).suggestedFilename()).toBe("ciresan2010-minibatch-mnist.onnx");
    const fromOnnx = cli("eval", "--onnx", onnx, "--data-dir", sample, "--threads", "1");
    expect([fromOnnx.model, fromOnnx.accuracy]).toEqual(["mlp-ciresan", expect.closeTo(pageAccuracy, 3)]);
    await page.screenshot({ path: join(artifacts, "demo-recipe.png"), fullPage: true });
    expect(errors).toEqual([]);
    writeFileSync(join(artifacts, "demo-errors.txt"), errors.join("\n"));
  }, 180_000);
});

describe.skipIf(!hasChromium)("the web demo's dev server", () => {
  it("serves the page cross-origin isolated, with the data the library finds, and it trains", async () => {
    const { createServer } = await import("vite");
    const server = await createServer({
      configFile: join(root, "demo", "vite.config.ts"),
      server: { port: 0, host: "127.0.0.1" },
      logLevel: "error",
    });
    await server.listen();
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(server.resolvedUrls!.local[0]);
      await page.waitForFunction(() => document.getElementById("data-source")?.textContent?.includes("training"), null, {
        timeout: 60_000,
      });
      const status = (await page.textContent("#status"))!;
      expect(status).toContain("cross-origin isolated");
      // where the full MNIST is found (WASMGRAD_DATA in CI), the page uses it; else the sample, and says so
      const options = await page.locator("#dataset option").allTextContents();
      expect(options).toContain("mnist-sample");
      expect(status).toMatch(options.includes("mnist") ? /mnist: 60,000 training/ : /offline sample/);
      await page.fill("#steps", "50");
      await page.click("#start");
      await page.waitForFunction(() => document.getElementById("train-status")!.dataset.accuracy !== undefined, null, { timeout: 120_000 });
      expect(await page.textContent("#train-status")).toContain("after 50 steps");
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await server.close();
    }
  }, 180_000);
});
