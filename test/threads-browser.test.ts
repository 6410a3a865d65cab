// Faults in the worker pool where the pool runs in a browser: a module
// Worker of a cross-origin-isolated page in headless Chromium, importing the
// built dist/ (test/fixtures/faults/worker.js). The same checks as the Node
// ones in threads.test.ts: a kernel that throws on a worker, and a worker
// terminated mid-training, each end the pool naming the thread, and the next
// init() works.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { hasChromium, launchChromium, serve, type StaticServer } from "./helpers/chromium.js";

const root = join(import.meta.dirname, "..");

interface Results {
  error?: string;
  threads: number;
  thrown: string | null;
  thrownMs: number;
  afterThrow: string | null;
  afterThrowNewPool: boolean;
  killed: string | null;
  killedMs: number;
  afterKill: string | null;
  afterKillNewPool: boolean;
}

describe.skipIf(!hasChromium)("faults in the worker pool, in a browser Worker", () => {
  let browser: Browser, server: StaticServer;
  beforeAll(async () => {
    server = await serve(root, "application/wasm", true);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("a kernel that throws and a worker terminated mid-training each end the pool, naming the thread; init() starts a working one", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}test/fixtures/faults/index.html`);
    await page.waitForFunction(() => (window as unknown as { __results?: unknown }).__results !== undefined, null, { timeout: 60_000 });
    const r = await page.evaluate(() => (window as unknown as { __results: Results }).__results);
    expect(r.error).toBeUndefined();
    expect(r.threads).toBe(3);
    expect(r.thrown).toMatch(
      /^threads: kernel add threw on thread 2 of 3: RuntimeError: memory access out of bounds; the pool is stopped$/,
    );
    expect(r.thrownMs).toBeLessThan(4000);
    expect(r.afterThrow).toMatch(/the pool was stopped after kernel add threw on thread 2; call init\(\) again/);
    expect(r.afterThrowNewPool).toBe(true);
    expect(r.killed).toMatch(
      /^threads: thread 1 of 2 did not finish round \d+ within [\d.]+ s of the caller's part \(a worker that died or stalled\); the pool is stopped$/,
    );
    expect(r.killedMs).toBeLessThan(40_000);
    expect(r.afterKill).toMatch(/the pool was stopped after a round timed out \(thread 1\)/);
    expect(r.afterKillNewPool).toBe(true);
  }, 90_000);
});
