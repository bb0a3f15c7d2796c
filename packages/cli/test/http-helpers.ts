import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@opencdc-ts/testing';
import { runCommand } from '../src/commands/run.js';

export interface RunningHttp {
  url: string;
  /** Stops the run (like SIGTERM) and resolves with its exit code. */
  stop(): Promise<number>;
}

/** Runs `yaml` with `opencdc run --http 127.0.0.1:<free port>` in this process. */
export async function runWithHttp(yaml: string): Promise<RunningHttp> {
  const dir = await mkdtemp(join(tmpdir(), 'opencdc-http-'));
  await writeFile(join(dir, 'p.yaml'), yaml);
  const port = await freePort();
  const ctl = new AbortController();
  const done = runCommand(join(dir, 'p.yaml'), {
    stateDir: join(dir, 'state'),
    json: true,
    logLevel: 'warn',
    batchSize: 100,
    strict: false,
    progressInterval: 60_000,
    signal: ctl.signal,
    http: `127.0.0.1:${port}`,
  });
  const url = `http://127.0.0.1:${port}`;
  // Up once /healthz answers (or the run ended early: report its exit code).
  const end = Date.now() + 30_000;
  for (;;) {
    const ended = await Promise.race([done, new Promise((r) => setTimeout(r, 100, 'waiting'))]);
    if (ended !== 'waiting') throw new Error(`the run ended with exit code ${ended}`);
    if ((await fetch(`${url}/healthz`).catch(() => undefined))?.ok) break;
    if (Date.now() > end) throw new Error('the HTTP server did not come up');
  }
  return {
    url,
    stop: async () => {
      ctl.abort();
      return done;
    },
  };
}

/** Polls `f` until it returns a value other than `undefined`. */
export async function eventually<T>(
  f: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The value of one sample of `/metrics` text, e.g. metric('x_total', { pipeline: 'p' }). */
export function sample(
  text: string,
  name: string,
  labels: { [k: string]: string } = {},
): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = new Map(
      [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1]!, x[2]!]),
    );
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) return Number(m[3]);
  }
  return undefined;
}
