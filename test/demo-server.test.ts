// The demo's dev server (npm run demo) against hostile requests: every URL
// under /data/ gets the file or a 4xx, nothing from a URL reaches the file
// system, and the server still serves the manifest and a data file after all
// of them (OPTIONS is Vite's: its CORS middleware answers a preflight with
// 204 before ours runs). Requests are written to the socket by hand, so `..` and encoded
// characters arrive exactly as sent (fetch would normalise them).
import { connect } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ViteDevServer } from "vite";

const root = join(import.meta.dirname, "..");

interface Reply {
  status: number;
  body: string;
}

/** One raw HTTP/1.1 request; the status and body of the reply (empty status 0 when the server closed without one). */
function request(port: number, method: string, target: string, extra = ""): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (c) => chunks.push(c));
    socket.on("error", reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error(`${method} ${target.slice(0, 80)}: no reply in 10 s`)));
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf("\r\n\r\n") + 4) });
    });
    // write, not end: a half-closed socket may be closed before a slow reply; Connection: close ends it after
    socket.write(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra}\r\n`);
  });
}

describe("the demo's dev server under hostile requests", () => {
  let server: ViteDevServer, port: number;

  beforeAll(async () => {
    const { createServer } = await import("vite");
    server = await createServer({
      configFile: join(root, "demo", "vite.config.ts"),
      server: { port: 0, host: "127.0.0.1" },
      logLevel: "silent",
    });
    await server.listen();
    port = (server.httpServer!.address() as { port: number }).port;
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  const sampleFile = "/data/mnist-sample/t10k-labels-idx1-ubyte.gz";

  it("serves the manifest and the files it lists", async () => {
    const m = await request(port, "GET", "/data/manifest.json");
    expect(m.status).toBe(200);
    const manifest = JSON.parse(m.body);
    expect(manifest.datasets["mnist-sample"].urls["t10k-labels-idx1-ubyte"]).toBe(sampleFile.slice(1));
    const f = await request(port, "GET", sampleFile);
    expect(f.status).toBe(200);
    expect(f.body.charCodeAt(0)).toBe(0x1f); // gzip's magic
    expect((await request(port, "HEAD", sampleFile)).status).toBe(200);
  });

  const HOSTILE: [method: string, target: string, status: number][] = [
    ["GET", "/data/constructor/foo", 404],
    ["GET", "/data/__proto__/foo", 404],
    ["GET", "/data/__proto__/__proto__", 404],
    ["GET", "/data/toString", 404],
    ["GET", "/data/mnist/toString", 404],
    ["GET", "/data/mnist-sample/constructor", 404],
    ["GET", "/data/mnist-sample/hasOwnProperty", 404],
    ["GET", "/data/mnist", 404],
    ["GET", "/data/mnist-sample", 404],
    ["GET", "/data/mnist-sample/", 404],
    ["GET", "/data/", 404],
    ["GET", "/data", 404],
    ["GET", "/data//", 404],
    ["GET", "/data/mnist-sample/../../package.json", 404],
    ["GET", "/data/../package.json", 404],
    ["GET", "/data/%2e%2e%2f%2e%2e%2fpackage.json", 404],
    ["GET", "/data/mnist-sample/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd", 404],
    ["GET", "/data/mnist-sample/..%5c..%5cpackage.json", 404],
    ["GET", "/data/mnist-sample/t10k-labels-idx1-ubyte.gz%00", 404],
    ["GET", "/data/mnist-sample/t10k-labels-idx1-ubyte.gz/", 404],
    ["GET", "/data/mnist-sample/t10k-labels-idx1-ubyte", 404], // the sample is gzipped: only the manifest's URL
    ["GET", "/data/mnist-sample/t10k-labels-idx1-ubyte.gz.gz", 404],
    ["GET", "/data/mnist-sample%2ft10k-labels-idx1-ubyte.gz", 404],
    ["GET", "/data/manifest.json/..", 404],
    ["GET", `/data/${"a".repeat(3000)}`, 414],
    ["GET", `/data/mnist-sample/${"%2e".repeat(5000)}`, 414],
    ["POST", "/data/manifest.json", 405],
    ["PUT", sampleFile, 405],
    ["DELETE", sampleFile, 405],
    ["PATCH", "/data/constructor/foo", 405],
  ];

  it.each(HOSTILE)("%s %s: %i", async (method, target, status) => {
    const r = await request(port, method, target);
    expect(r.status).toBe(status);
    expect(r.body).not.toContain('"name": "wasmgrad"'); // no file outside the datasets
    expect(r.body).not.toContain("root:x:0:0");
  });

  it("lets Node refuse what is not HTTP, and a header over Node's limit, and keeps serving after everything", async () => {
    // Node's parser answers these before any middleware runs
    expect((await request(port, "GET", "/data/manifest.json", `X-Big: ${"b".repeat(20_000)}\r\n`)).status).toBe(431);
    expect((await request(port, "GET", "/data/ manifest.json")).status).toBe(400);
    const replies = await Promise.all(HOSTILE.map(([method, target]) => request(port, method, target)));
    expect(replies.every((r) => r.status >= 400 && r.status < 500)).toBe(true);
    expect((await request(port, "GET", "/data/manifest.json")).status).toBe(200);
    const f = await request(port, "GET", sampleFile);
    expect(f.status).toBe(200);
  });
});
