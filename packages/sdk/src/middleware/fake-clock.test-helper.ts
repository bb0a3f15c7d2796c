import { AbortedError } from '../errors.js';
import type { Clock } from './clock.js';

/** A clock that moves only when told (`advance`), for timing tests without waiting. */
export class FakeClock implements Clock {
  private t = 0;
  private timers: { at: number; fire: () => void }[] = [];
  /** Every sleep asked for, in ms. */
  readonly sleeps: number[] = [];

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new AbortedError());
      const timer = { at: this.t + ms, fire: resolve };
      this.timers.push(timer);
      signal?.addEventListener('abort', () => {
        this.timers = this.timers.filter((x) => x !== timer);
        reject(new AbortedError());
      });
    });
  }

  /** Moves time on, firing due timers (and letting their continuations run). */
  async advance(ms: number): Promise<void> {
    this.t += ms;
    const due = this.timers.filter((x) => x.at <= this.t);
    this.timers = this.timers.filter((x) => x.at > this.t);
    for (const x of due) x.fire();
    for (let i = 0; i < 10; i++) await Promise.resolve();
  }
}
