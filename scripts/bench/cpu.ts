import { readdirSync, readFileSync } from "node:fs";

/**
 * Where a phase's CPU went, read from /proc (Linux only; elsewhere every figure is 0): the app server
 * (a pid and its descendants), every `postgres` process on the machine (the benches own the only busy
 * cluster) and this process (the load generator). On a 2-core machine the three share the same cores,
 * so "server CPU per request" says whether the framework or the database is what limits a phase.
 */
export type CpuSample = { serverMs: number; postgresMs: number; clientMs: number };

const TICK_MS = 10; // USER_HZ is 100 on Linux

function processes(): { pid: number; ppid: number; comm: string; ms: number }[] {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const out: { pid: number; ppid: number; comm: string; ms: number }[] = [];
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // comm is in parentheses and may contain spaces; the fields after it are space-separated.
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const fields = stat.slice(close + 2).split(" ");
      const ppid = Number(fields[1]);
      const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
      out.push({ pid: Number(pid), ppid, comm, ms: ticks * TICK_MS });
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

export function sampleCpu(serverPid: number | undefined): CpuSample {
  const all = processes();
  const tree = new Set<number>(serverPid ? [serverPid] : []);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (tree.has(p.ppid) && !tree.has(p.pid)) {
        tree.add(p.pid);
        grew = true;
      }
    }
  }
  const usage = process.cpuUsage();
  return {
    serverMs: all.filter((p) => tree.has(p.pid)).reduce((sum, p) => sum + p.ms, 0),
    postgresMs: all.filter((p) => p.comm === "postgres" || p.comm.startsWith("postgres:")).reduce((sum, p) => sum + p.ms, 0),
    clientMs: (usage.user + usage.system) / 1000,
  };
}

/** CPU per request (ms) of each side between two samples. */
export function cpuPerRequest(before: CpuSample, after: CpuSample, requests: number) {
  const per = (a: number, b: number) => (requests > 0 ? Number(((b - a) / requests).toFixed(3)) : 0);
  return {
    server: per(before.serverMs, after.serverMs),
    postgres: per(before.postgresMs, after.postgresMs),
    client: per(before.clientMs, after.clientMs),
  };
}
