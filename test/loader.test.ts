// Loading: feature detection picks the best build, every build loads and
// computes, forced builds are honoured, and a broken build falls back.
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getBackend, init, supportedBuilds, tensor } from "../src/index.js";
import { tempDir } from "./helpers/temp.js";

const root = join(import.meta.dirname, "..");

describe("loader", () => {
  const scratch = tempDir();
  it("detects relaxed SIMD (test/helpers/setup.ts turns it on where Node needs a flag)", () => {
    expect(supportedBuilds()).toEqual(["relaxed-simd", "simd", "scalar"]);
  });

  it("enableRelaxedSimd turns relaxed SIMD on in a plain Node process, setting the V8 flag only where it is needed", () => {
    const script = `
      import { supportedBuilds } from ${JSON.stringify(join(root, "dist/index.js"))};
      import { enableRelaxedSimd } from ${JSON.stringify(join(root, "dist/node/relaxed-simd.js"))};
      const before = supportedBuilds();
      const ok = enableRelaxedSimd();
      console.log(JSON.stringify({ before, ok, after: supportedBuilds(), again: enableRelaxedSimd() }));`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(""); // Node 22+ would print "unrecognized flag" had it been set there
    const out = JSON.parse(r.stdout);
    expect([out.ok, out.after, out.again]).toEqual([true, ["relaxed-simd", "simd", "scalar"], true]);
  });

  it("loads the best build by default and names it", async () => {
    await init();
    expect(getBackend()).toBe("wasm-relaxed-simd");
    await init({ backend: "wasm" });
    expect(getBackend()).toBe("wasm-relaxed-simd");
  });

  it.each(["relaxed-simd", "simd", "scalar"] as const)("loads the %s build on request", async (build) => {
    await init({ build });
    expect(getBackend()).toBe(`wasm-${build}`);
    expect(
      tensor([[1, 2]])
        .matmul(tensor([[3], [4]]))
        .item(),
    ).toBe(11);
  });

  it("switches to the js backend and back", async () => {
    await init({ backend: "js" });
    expect(getBackend()).toBe("js");
    await init();
    expect(getBackend()).toMatch(/^wasm-/);
  });

  it("falls back to the next build when one does not compile", async () => {
    const dir = scratch;
    writeFileSync(join(dir, "wasmgrad-relaxed-simd.wasm"), new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 99]));
    copyFileSync(join(root, "build/wasmgrad-simd.wasm"), join(dir, "wasmgrad-simd.wasm"));
    await init({ wasmBase: dir, threads: 1 });
    expect(getBackend()).toBe("wasm-simd");
    await expect(init({ wasmBase: dir, build: "scalar" })).rejects.toThrow(/cannot read/);
    await init();
  });

  it("takes wasmBase as a folder: a path or a URL, with or without the trailing slash", async () => {
    const build = join(root, "build");
    const rel = relative(process.cwd(), build);
    for (const base of [
      build,
      `${build}/`,
      rel,
      `${rel}/`,
      pathToFileURL(build),
      new URL(`${pathToFileURL(build).href}/`),
      pathToFileURL(build).href,
    ]) {
      await init({ wasmBase: base, build: "simd", threads: 1 });
      expect(getBackend()).toBe("wasm-simd");
    }
    await expect(init({ wasmBase: 42 as never })).rejects.toThrow(/wasmBase must be a string or a URL, got number/);
  });

  describe("over HTTP", () => {
    let server: Server;
    let base = "";
    const requests: string[] = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        requests.push(req.url ?? "");
        const [, folder, file] = /^\/(\w+)\/(.*)$/.exec(req.url ?? "") ?? [];
        if (folder === "missing" || !existsSync(join(root, "build", file ?? ""))) return void res.writeHead(404).end();
        const type = folder === "right" ? "application/wasm" : "application/octet-stream";
        res.writeHead(200, { "content-type": type }).end(readFileSync(join(root, "build", file)));
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const a = server.address();
      base = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
    });
    afterAll(() => server.close());

    it("downloads each build once, streams it when served as application/wasm, and warns once otherwise", async () => {
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
      try {
        requests.length = 0;
        await init({ wasmBase: `${base}/right`, build: "simd", threads: 1 });
        expect(requests).toEqual(["/right/wasmgrad-simd.wasm"]);
        expect(warn).not.toHaveBeenCalled();
        requests.length = 0;
        await init({ wasmBase: `${base}/wrong/`, build: "scalar" });
        await init({ wasmBase: new URL(`${base}/wrong`), build: "simd", threads: 1 });
        expect(getBackend()).toBe("wasm-simd");
        expect(requests).toEqual(["/wrong/wasmgrad-scalar.wasm", "/wrong/wasmgrad-simd.wasm"]);
        expect(warn).toHaveBeenCalledTimes(1);
        expect(String(warn.mock.calls[0][0])).toMatch(/served as 'application\/octet-stream', not application\/wasm/);
      } finally {
        warn.mockRestore();
      }
    });

    it("asks for a missing file once per build and says which ones failed", async () => {
      requests.length = 0;
      await expect(init({ wasmBase: `${base}/missing`, threads: 1 })).rejects.toThrow(
        /no Wasm build could be loaded:\n {2}relaxed-simd: init: cannot fetch .*\/missing\/wasmgrad-relaxed-simd\.wasm: HTTP 404 \(from init\(\{ wasmBase \}\)\)\n {2}simd: .*\n {2}scalar: /,
      );
      expect(requests).toEqual(["/missing/wasmgrad-relaxed-simd.wasm", "/missing/wasmgrad-simd.wasm", "/missing/wasmgrad-scalar.wasm"]);
      await init();
    });
  });

  it("wasmgrad/embedded carries the builds in the JavaScript, with the same API", () => {
    // a copy of dist/ with no build/ beside it: only the embedded bytes can work there
    const pkg = join(scratch, "no-build-folder");
    cpSync(join(root, "dist"), join(pkg, "dist"), { recursive: true });
    const script = (entry: string) => `
      import { init, getBackend, tensor } from ${JSON.stringify(pathToFileURL(join(pkg, "dist", entry)).href)};
      try {
        await init({ build: "simd", threads: 1 });
        const a = getBackend();
        await init({ build: "scalar" });
        console.log(JSON.stringify([a, getBackend(), tensor([[1, 2]]).matmul(tensor([[3], [4]])).item()]));
      } catch (e) { console.log(JSON.stringify(e.message)); }`;
    const run = (entry: string) =>
      JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script(entry)], { encoding: "utf8" }));
    expect(run("embedded.js")).toEqual(["wasm-simd", "wasm-scalar", 11]);
    expect(run("index.js")).toMatch(/init: cannot read .*no-build-folder\/build\/wasmgrad-simd\.wasm/);
  });

  it("uses the SIMD build in a plain Node 20 process (the best build elsewhere), and says why relaxed SIMD is missing", () => {
    const script = `
      import { init, getBackend } from ${JSON.stringify(join(root, "dist/index.js"))};
      await init();
      const chosen = getBackend();
      let refused = "";
      try { await init({ build: "relaxed-simd" }); } catch (e) { refused = e.message; }
      console.log(JSON.stringify({ chosen, refused }));`;
    const node = process.execPath;
    const major = Number(process.versions.node.split(".")[0]);
    const out = JSON.parse(execFileSync(node, ["--input-type=module", "-e", script], { encoding: "utf8" }));
    if (major < 22) {
      expect(out.chosen).toBe("wasm-simd");
      expect(out.refused).toMatch(/does not support the 'relaxed-simd' build.*--experimental-wasm-relaxed-simd/);
    } else {
      expect(out.chosen).toBe("wasm-relaxed-simd");
    }
  });
});
