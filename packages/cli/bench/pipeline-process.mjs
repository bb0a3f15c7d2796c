// Runs an `opencdc run` process for the benchmarks and measures it: seconds until a number of
// records was acked (from the process start, or from a clock the caller starts), peak RSS
// (VmHWM) and CPU seconds (user + system, from /proc), read just before the process is stopped.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const TICKS = 100; // USER_HZ on Linux

function peakRssMb(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Busy and total jiffies of the whole machine (all cores), from /proc/stat. */
function machineTicks() {
  const f = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const idle = f[3] + f[4]; // idle + iowait
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0;
  }
}

/**
 * Runs `opencdc run <file>` in `dir`; resolves when `total` records were acked (progress events)
 * with { seconds, startup, first, peakRssMb, cpuSeconds, machineCores, batches }
 * (machineCores: how many cores the whole machine kept busy on average from the process start
 * until then, the services and this harness included). `total` 0: stop as soon as
 * the pipeline started (e.g. to create a replication slot). `options.clock()`: the start of the
 * measured interval in `performance.now()` time (default: the process start). `options.args`:
 * extra `opencdc run` arguments.
 */
export function runUntil(dir, file, env, total, options = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const machineAtStart = machineTicks();
    let machineCores = 0; // cores busy on average over the run, all processes (the services too)
    const child = spawn(
      process.execPath,
      [
        // BENCH_PROF=<dir>: CPU profiles of the pipeline processes.
        ...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROF] : []),
        bin,
        'run',
        file,
        '--json',
        '--progress-interval',
        '100',
        ...(options.args ?? []),
        '--state-dir',
        'state',
      ],
      {
        cwd: dir,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    options.onSpawn?.(child);
    const since = () => (performance.now() - (options.clock?.() ?? started)) / 1000;
    let peak = 0;
    let cpu = 0;
    let batches = 0;
    let done;
    let first; // seconds until the first batch was acked
    let ready; // seconds until the pipeline said it started (process start, connections, slot)
    const rss = setInterval(() => {
      peak = Math.max(peak, peakRssMb(child.pid));
    }, 100);
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let ev;
        try {
          ev = JSON.parse(line);
        } catch {
          continue;
        }
        if (ev.level === 'error') process.stderr.write(`${line}\n`);
        if (ready === undefined && /^pipeline (started|resumed)/.test(ev.msg ?? '')) {
          ready = (performance.now() - started) / 1000;
          options.onReady?.();
        }
        if (ev.msg === 'progress') batches = ev.batches;
        if (first === undefined && ev.msg === 'progress' && ev.total > 0) first = since();
        if (total === 0 && /^pipeline (started|resumed)/.test(ev.msg ?? '')) child.kill('SIGTERM');
        if (ev.msg === 'progress' && total > 0 && ev.total >= total && !done) {
          done = since();
          peak = Math.max(peak, peakRssMb(child.pid));
          cpu = cpuSeconds(child.pid);
          const m = machineTicks();
          machineCores =
            ((m.busy - machineAtStart.busy) / (m.total - machineAtStart.total)) *
            os.availableParallelism();
          child.kill('SIGTERM');
        }
      }
    });
    child.on('exit', (code) => {
      clearInterval(rss);
      if (total > 0 && !done)
        reject(new Error(`pipeline exited (${code}) before ${total} records`));
      else
        resolve({
          seconds: done ?? 0,
          startup: ready ?? 0,
          first: first ?? 0,
          peakRssMb: peak,
          cpuSeconds: cpu,
          machineCores,
          batches,
        });
    });
  });
}
