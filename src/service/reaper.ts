/**
 * Deletes executor pods whose kernel is gone, so nothing keeps running that
 * nobody can see. Executor pods carry the kernel's pid and start time; this
 * service runs in the same pod as the kernels, so it can check the process.
 */
import { V1Pod } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import {
  KERNEL_PID_ANNOTATION,
  KERNEL_START_ANNOTATION,
  SESSION_LABEL
} from '../core';
import { ExecutorPods } from './sessions';

/** The start time of a process in clock ticks since boot (field 22 of /proc/PID/stat), or null. */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields follow the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether the kernel that owns `pod` is still running. Unknown owners count as alive. */
export function kernelAlive(pod: V1Pod): boolean {
  const annotations = pod.metadata?.annotations ?? {};
  const pid = Number(annotations[KERNEL_PID_ANNOTATION]);
  if (!Number.isInteger(pid) || pid <= 0) {
    return true;
  }
  const start = processStart(pid);
  if (start === null) {
    return false;
  }
  const expected = annotations[KERNEL_START_ANNOTATION];
  return !expected || expected === start;
}

/** Reaps on every pod change and on a slow local timer (no API polling). */
export class Reaper {
  constructor(
    private _pods: ExecutorPods,
    private _log: (message: string) => void = console.log
  ) {}

  start(intervalMs = 15_000): void {
    this._off = this._pods.pods.onChange(change => {
      if (change.type === 'ADDED' || change.type === 'SYNCED') {
        void this.sweep();
      }
    });
    this._timer = setInterval(() => void this.sweep(), intervalMs);
  }

  stop(): void {
    this._off?.();
    clearInterval(this._timer);
  }

  /** Delete the pods of every session whose kernel is gone; returns the session ids. */
  async sweep(): Promise<string[]> {
    const orphaned = new Set<string>();
    for (const pod of this._pods.pods.objects.values()) {
      const session = pod.metadata?.labels?.[SESSION_LABEL];
      if (session && !pod.metadata?.deletionTimestamp && !kernelAlive(pod)) {
        orphaned.add(session);
      }
    }
    const reaped: string[] = [];
    for (const session of orphaned) {
      if (this._inFlight.has(session)) {
        continue;
      }
      this._inFlight.add(session);
      try {
        const n = await this._pods.deleteSession(session);
        this._log(
          `reaper: deleted ${n} executor pod(s) of session ${session}: its kernel is gone`
        );
        reaped.push(session);
      } catch (e) {
        this._log(
          `reaper: could not delete pods of session ${session}: ${(e as Error).message}`
        );
      } finally {
        this._inFlight.delete(session);
      }
    }
    return reaped;
  }

  private _off: (() => void) | null = null;
  private _timer: ReturnType<typeof setInterval> | undefined;
  private _inFlight = new Set<string>();
}
