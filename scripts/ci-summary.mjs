#!/usr/bin/env node
// Sums the JSON reports of vitest and Playwright into the plain line CI reads:
//   tests: N passed, N failed[, N skipped]
// A stage that failed before its runner wrote a report (typecheck, lint, a crash) counts as one
// failure, so a red run can never print "0 failed".
import { existsSync, readFileSync, statSync } from 'node:fs';

const [, , exitCodeArg, startedAtArg] = process.argv;
const exitCode = Number(exitCodeArg ?? 0);
const startedAt = Number(startedAtArg ?? 0) * 1000;
let passed = 0;
let failed = 0;
let skipped = 0;

function fresh(path) {
  return existsSync(path) && statSync(path).mtimeMs >= startedAt;
}

if (fresh('test-results/vitest.json')) {
  const r = JSON.parse(readFileSync('test-results/vitest.json', 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  // a test file that failed to load has no tests but fails the run
  failed += (r.testResults ?? []).filter((f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0).length;
}
if (fresh('test-results/playwright.json')) {
  const r = JSON.parse(readFileSync('test-results/playwright.json', 'utf8'));
  const s = r.stats ?? {};
  passed += (s.expected ?? 0) + (s.flaky ?? 0);
  failed += s.unexpected ?? 0;
  skipped += s.skipped ?? 0;
}
if (exitCode !== 0 && failed === 0) failed = 1;
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
