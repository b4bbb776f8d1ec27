/**
 * An open-loop load at a steady rate: one request every 1/rate seconds, whatever the answers do, each
 * latency measured from the moment the request was due (so a late client or a stalled server counts
 * against the server, as coordinated-omission correction intends).
 *
 * Why not `autocannon -R`: autocannon paces each connection per second — a connection sends its share
 * of the second back to back, then waits for the next one-second tick — so "400/s" arrives as a burst
 * at the top of each second. And it corrects for coordinated omission with an expected interval of
 * `Math.ceil(1 / rate)` = 1 ms (seconds inverted, read as milliseconds), so every response of t ms is
 * recorded t times (t, t-1, … 1 ms): its percentiles are of a latency-weighted distribution.
 *
 * `pacedInChild` runs the pacer in a process of its own: in the bench's process, that process's own
 * garbage collection (it holds the database pool and autocannon's results; mark-compacts of 5–15 ms
 * were seen every ~0.6 s) delayed sends and answers and counted as server latency.
 */
import { spawn } from "node:child_process";
import http from "node:http";
import { fileURLToPath } from "node:url";
import { percentile } from "./percentile";

export interface PacedOptions {
  url: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  rate: number;
  seconds: number;
  /** Sent at the same rate first and not recorded: connections open and the server settles into the load. */
  warmupSeconds?: number;
}

export interface PacedResult {
  sent: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
}

export async function paced(options: PacedOptions): Promise<PacedResult> {
  const target = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  const headers = body ? { ...options.headers, "content-length": String(body.length) } : options.headers;
  const warmup = Math.round(options.rate * (options.warmupSeconds ?? 1));
  const total = warmup + Math.round(options.rate * options.seconds);
  const interval = 1000 / options.rate;
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const start = performance.now() + 20;

  await new Promise<void>((resolve) => {
    let sent = 0;
    let finished = 0;
    const done = () => {
      if (++finished === total) resolve();
    };
    const fire = (due: number, recorded: boolean) => {
      let settled = false;
      const settle = (failed: boolean) => {
        if (settled) return;
        settled = true;
        if (failed) errors++;
        done();
      };
      const request = http.request(
        { agent, host: target.hostname, port: target.port, method: options.method, path: options.path, headers },
        (response) => {
          response.resume();
          response.on("end", () => {
            if (recorded) latencies.push(performance.now() - due);
            if (!response.statusCode || response.statusCode < 200 || response.statusCode >= 300) non2xx++;
            settle(false);
          });
          // An answer cut off before its end never emits "end".
          response.on("close", () => settle(true));
        },
      );
      request.setTimeout(30_000, () => request.destroy(new Error("timed out")));
      request.on("error", () => settle(true));
      request.end(body);
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) {
        fire(start + sent * interval, sent >= warmup);
        sent++;
      }
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
    };
    setTimeout(tick, 20);
  });
  agent.destroy();

  latencies.sort((a, b) => a - b);
  const round = (ms: number) => Number(ms.toFixed(2));
  return { sent: total - warmup, p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: round(latencies.at(-1) ?? 0), non2xx, errors };
}

/** `paced` in a fresh Node process (same loader flags as this one), its result read from its stdout. */
export function pacedInChild(options: PacedOptions): Promise<PacedResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), JSON.stringify(options)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`paced load exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split("\n").at(-1) ?? "") as PacedResult);
      } catch (error) {
        reject(error);
      }
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  paced(JSON.parse(process.argv[2]) as PacedOptions).then(
    (result) => console.log(JSON.stringify(result)),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
