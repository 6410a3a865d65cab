// What every benchmark prints and saves: the machine, the runtime, the builds,
// and a Markdown table plus JSON under bench/results/.
import { cpus, totalmem } from "node:os";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomic } from "../../src/node/files.js";

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  v8: string;
  date: string;
}

export function machine(): Machine {
  const c = cpus();
  return {
    cpu: c[0]?.model ?? "unknown",
    cores: c.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    v8: process.versions.v8,
    date: new Date().toISOString(),
  };
}

export function describeMachine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; Node ${m.node} (V8 ${m.v8}); ${m.date.slice(0, 10)}`;
}

export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), "..", "results");

export function save(name: string, markdown: string, json: unknown): void {
  mkdirSync(resultsDir, { recursive: true });
  writeFileAtomic(join(resultsDir, `${name}.md`), markdown + "\n");
  writeFileAtomic(join(resultsDir, `${name}.json`), JSON.stringify(json, null, 2) + "\n");
  console.log(`\nwrote bench/results/${name}.md and bench/results/${name}.json`);
}
