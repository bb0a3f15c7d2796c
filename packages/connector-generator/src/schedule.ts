/**
 * Burst cycles: generate for `generateTime`, pause for `sleepTime`, repeat. "Active time" is
 * the wall time spent in generate phases; rates apply to active time, so a paced reader is
 * due to have emitted every record whose virtual time is at most the active time elapsed.
 * All times in ms.
 */
export interface Burst {
  generateTime: number;
  sleepTime: number;
}

/** Active time elapsed after `t` ms of wall time. */
export function activeTime(t: number, burst: Burst): number {
  if (burst.sleepTime <= 0 || burst.generateTime <= 0) return t;
  const cycle = burst.generateTime + burst.sleepTime;
  const n = Math.floor(t / cycle);
  return n * burst.generateTime + Math.min(t - n * cycle, burst.generateTime);
}

/** Earliest wall time at which `active` ms of active time have elapsed. */
export function wallTimeFor(active: number, burst: Burst): number {
  if (active <= 0) return 0;
  if (burst.sleepTime <= 0 || burst.generateTime <= 0) return active;
  const n = Math.ceil(active / burst.generateTime) - 1;
  return n * (burst.generateTime + burst.sleepTime) + (active - n * burst.generateTime);
}

/** Whether wall time `t` falls in a generate phase (for unlimited rates with bursts). */
export function inGeneratePhase(t: number, burst: Burst): boolean {
  if (burst.sleepTime <= 0 || burst.generateTime <= 0) return true;
  const cycle = burst.generateTime + burst.sleepTime;
  return t - Math.floor(t / cycle) * cycle < burst.generateTime;
}

/** Wall time at which the next generate phase starts, from `t` (within a sleep phase). */
export function nextGeneratePhase(t: number, burst: Burst): number {
  const cycle = burst.generateTime + burst.sleepTime;
  return (Math.floor(t / cycle) + 1) * cycle;
}

/** Resolves after `ms`, or early (with `false`) when `signal` aborts; no timers left behind. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      },
      Math.max(0, ms),
    );
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
