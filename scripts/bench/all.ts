/**
 * npm run bench — every benchmark in turn (ledger, metering API, reports), each in its own process so
 * one's warm caches and pools do not flatter the next. Prints each one's output, then as the LAST line
 * one JSON object {ledger, api, reports} of their results (null for a bench that failed).
 */
import { spawn } from "node:child_process";

const BENCHES = [
  { name: "ledger", script: "scripts/bench/ledger.ts" },
  { name: "api", script: "scripts/bench/api.ts" },
  { name: "reports", script: "scripts/bench/reports.ts" },
] as const;

function run(script: string): Promise<{ code: number; lastLine: string }> {
  return new Promise((resolve) => {
    const child = spawn("node_modules/.bin/tsx", [script], { stdio: ["ignore", "pipe", "inherit"], env: process.env });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      process.stderr.write(chunk);
    });
    child.on("exit", (code) => resolve({ code: code ?? 1, lastLine: out.trim().split("\n").pop() ?? "" }));
  });
}

async function main() {
  const results: Record<string, unknown> = {};
  for (const bench of BENCHES) {
    console.error(`\n== bench:${bench.name}`);
    const { code, lastLine } = await run(bench.script);
    try {
      results[bench.name] = code === 0 ? JSON.parse(lastLine) : null;
    } catch {
      results[bench.name] = null;
    }
  }
  console.log(JSON.stringify(results));
}

void main();
