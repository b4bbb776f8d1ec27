// Prints one closing line over both runners: "Tests: N passed, N failed[, N skipped]", and fails the run
// when either runner failed — including a suite that could not load or a report that was never written.
import { existsSync, readFileSync } from "node:fs";

const [vitestFile, playwrightFile] = process.argv.slice(2);
const read = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : null);
const vitest = read(vitestFile);
const playwright = read(playwrightFile);
const problems = [];
if (!vitest) problems.push("vitest wrote no report");
if (!playwright) problems.push("playwright wrote no report");
if (vitest && vitest.numFailedTestSuites > 0) problems.push(`${vitest.numFailedTestSuites} vitest file(s) failed`);
if (playwright && playwright.errors?.length) problems.push(`playwright: ${playwright.errors.length} error(s) outside tests`);

const v = vitest ?? { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0 };
const p = playwright?.stats ?? { expected: 0, unexpected: 0, flaky: 0, skipped: 0 };
const passed = v.numPassedTests + p.expected + p.flaky;
const failed = v.numFailedTests + p.unexpected;
const skipped = v.numPendingTests + v.numTodoTests + p.skipped;
console.log(`vitest: ${v.numPassedTests} passed, ${v.numFailedTests} failed; playwright: ${p.expected} passed, ${p.unexpected} failed, ${p.flaky} flaky`);
for (const problem of problems) console.log(`problem: ${problem}`);
console.log(`Tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || problems.length > 0 ? 1 : 0);
