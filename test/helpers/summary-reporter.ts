// Prints the plain closing lines CI systems read, after vitest's own report:
// one line per skipped test saying why, then "node: N passed, N failed[, N
// skipped]" and the same for the browser suite, then the totals.
import type { Reporter, TestModule } from "vitest/node";

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

const line = (c: Counts) => `${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ""}`;

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const total: Counts = { passed: 0, failed: 0, skipped: 0 };
    const byProject = new Map<string, Counts>();
    const reasons: string[] = [];
    for (const m of modules) {
      const name = (m.project.name || "tests").replace(/ \(.*\)$/, "");
      const c = byProject.get(name) ?? { passed: 0, failed: 0, skipped: 0 };
      byProject.set(name, c);
      const count = (k: keyof Counts) => {
        c[k]++;
        total[k]++;
      };
      for (const t of m.children.allTests()) {
        const r = t.result();
        if (r.state === "passed") count("passed");
        else if (r.state === "failed") count("failed");
        else {
          count("skipped");
          const note = r.state === "skipped" && r.note ? r.note : "(no reason given)";
          reasons.push(`skipped (${name}): ${m.moduleId.replace(/^.*\/test\//, "test/")} > ${t.fullName}: ${note}`);
        }
      }
      if (m.state() === "failed" && m.children.size === 0) count("failed"); // a file that did not load
    }
    let projects = [...byProject].map(([name, c]) => `${name}: ${line(c)}\n`).join("");
    if (process.env.WASMGRAD_BROWSER_SUITE) projects += `chromium: ${process.env.WASMGRAD_BROWSER_SUITE}\n`;
    process.stdout.write(`\n${reasons.map((r) => r + "\n").join("")}${projects}${line(total)}\n`);
  }
}
