import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/** Last `lines` lines of a log file, for error messages ("" when unreadable). */
export function logTail(path: string, lines = 40): string {
  try {
    const text = readFileSync(path, 'utf8');
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (with a timeout) and rejects with its output on failure. */
export function run(
  command: string,
  args: readonly string[],
  options: { timeout?: number; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        timeout: options.timeout ?? 120_000,
        cwd: options.cwd,
        env: options.env,
        maxBuffer: 64 * 1024 * 1024,
        killSignal: 'SIGKILL',
      },
      (error, stdout, stderr) => {
        if (error) {
          const what = `${command} ${args.join(' ')}`;
          const detail = [stderr, stdout].filter((s) => s.trim()).join('\n');
          reject(new Error(`command failed: ${what}: ${error.message}\n${detail}`.trim()));
        } else {
          resolve({ code: 0, stdout, stderr });
        }
      },
    );
  });
}

/** Whether `command` is on the PATH (or an existing path). */
export function commandExists(command: string): boolean {
  if (command.includes('/')) return existsSync(command);
  const dirs = (process.env.PATH ?? '').split(':');
  return dirs.some((dir) => dir && existsSync(`${dir}/${command}`));
}

// Processes to kill when this Node process goes away without running the normal teardown
// (SIGINT, an uncaught error): services must never outlive the test run.
const cleanups = new Map<number, () => void>();
let nextCleanupId = 0;
let hooked = false;

/** Registers a synchronous last-resort cleanup; returns a function that unregisters it. */
export function onExit(cleanup: () => void): () => void {
  const id = nextCleanupId++;
  cleanups.set(id, cleanup);
  if (!hooked) {
    hooked = true;
    process.once('exit', runCleanups);
    // Not SIGHUP: that would undo nohup for the `services` CLI; the watchdog covers a hang-up death.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        runCleanups();
        // Nobody else handles it (e.g. our CLI): re-raise for the default exit with 128+n.
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    }
  }
  return () => cleanups.delete(id);
}

function runCleanups(): void {
  for (const cleanup of cleanups.values()) {
    try {
      cleanup();
    } catch {
      // Best effort: the process is going away.
    }
  }
  cleanups.clear();
}

/**
 * Starts a tiny shell watchdog that signals `pid` (then SIGKILLs it) and removes `dir` if this Node
 * process dies without cleaning up (SIGKILL, OOM): nothing else would stop a daemonized server.
 * Plain POSIX sh (dash): no `kill --`, numeric pids only.
 */
export function watchdog(
  pid: number,
  options: { signal?: string; dir?: string } = {},
): ChildProcess {
  const sig = options.signal ?? 'KILL';
  const rm = options.dir ? `; rm -rf '${options.dir.replace(/'/g, `'\\''`)}'` : '';
  const script =
    `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${pid} 2>/dev/null; do sleep 1; done; ` +
    // Only when Node is gone: a server that died on its own keeps its directory (logs).
    `if ! kill -0 ${process.pid} 2>/dev/null; then ` +
    `kill -${sig} ${pid} 2>/dev/null && sleep 2; kill -KILL ${pid} 2>/dev/null${rm}; fi; exit 0`;
  const child = spawn('sh', ['-c', script], { stdio: 'ignore', detached: true });
  child.unref();
  return child;
}

/** Sends `signal` to a pid, ignoring "no such process". */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
