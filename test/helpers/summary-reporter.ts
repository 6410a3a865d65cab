// Prints the plain closing line "N passed, N failed[, N skipped]" that CI
// systems read, after vitest's own report, with one line per skipped test
// saying why it was skipped.
import type { Reporter, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0,
      failed = 0,
      skipped = 0;
    const reasons: string[] = [];
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const r = t.result();
        if (r.state === "passed") passed++;
        else if (r.state === "failed") failed++;
        else {
          skipped++;
          reasons.push(
            `skipped: ${m.moduleId.replace(/^.*\/test\//, "test/")} > ${t.fullName}: ${r.state === "skipped" && r.note ? r.note : "(no reason given)"}`,
          );
        }
      }
      if (m.state() === "failed" && m.children.size === 0) failed++; // a file that did not load
    }
    process.stdout.write(
      `\n${reasons.map((r) => r + "\n").join("")}${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`,
    );
  }
}
