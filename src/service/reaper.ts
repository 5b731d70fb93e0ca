/**
 * Deletes executor pods whose kernel is gone, so nothing keeps running that
 * nobody can see. Executor pods carry the kernel's pid and start time; this
 * service runs in the same pod as the kernels, so it can check the process.
 *
 * It touches only executors of its own pod: every delete selects the session
 * label AND the driver-pod label with this pod's name, and without a known pod
 * name (POD_NAME, the downward API) it does not run at all, since a pid means
 * nothing outside this pod.
 */
import { readFileSync } from 'node:fs';
import {
  DRIVER_POD_LABEL,
  KERNEL_PID_ANNOTATION,
  KERNEL_START_ANNOTATION,
  SESSION_LABEL
} from '../core';
import { IClusterAccess, loadAccess } from './cluster';
import { deletePods, ExecutorPods, EXECUTOR_ROLE } from './sessions';

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

/**
 * Whether the kernel that owns `pod` (or any object with the kernel
 * annotations, such as a SparkConnect) is still running. Unknown owners count
 * as alive.
 */
export function kernelAlive(pod: {
  metadata?: { annotations?: Record<string, string> };
}): boolean {
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

/** The label selector of one session's executors of driver pod `podName`. */
export function reapSelector(podName: string, session: string): string {
  return `${SESSION_LABEL}=${session},${DRIVER_POD_LABEL}=${podName}`;
}

/** Reaps on every pod change and on a slow local timer (no API polling). */
export class Reaper {
  /**
   * @param _pods the watch of this pod's executors.
   * @param _log where the reaper says what it did.
   * @param _access the cluster and this pod's identity (default: as the service
   *   loads them); without `podName` the reaper does not run.
   */
  constructor(
    private _pods: ExecutorPods,
    private _log: (message: string) => void = console.log,
    private _access: IClusterAccess = loadAccess()
  ) {}

  /** Why the reaper cannot run here, or null. */
  get problem(): string | null {
    return this._access.podName
      ? null
      : 'this pod\u2019s name is unknown (set POD_NAME from the downward API), so executors of other pods cannot be told apart';
  }

  /** Start reaping; returns false (and logs why) when this pod's identity is unknown. */
  start(intervalMs = 15_000): boolean {
    const problem = this.problem;
    if (problem) {
      this._log(`reaper: not running: ${problem}`);
      return false;
    }
    this._off = this._pods.pods.onChange(change => {
      if (change.type === 'ADDED' || change.type === 'SYNCED') {
        void this.sweep();
      }
    });
    this._timer = setInterval(() => void this.sweep(), intervalMs);
    return true;
  }

  stop(): void {
    this._off?.();
    clearInterval(this._timer);
  }

  /** Delete the pods of every session whose kernel is gone; returns the session ids. */
  async sweep(): Promise<string[]> {
    const podName = this._access.podName;
    if (!podName) {
      return [];
    }
    const orphaned = new Set<string>();
    for (const pod of this._pods.pods.objects.values()) {
      const labels = pod.metadata?.labels ?? {};
      const session = labels[SESSION_LABEL];
      if (
        session &&
        labels[DRIVER_POD_LABEL] === podName &&
        !pod.metadata?.deletionTimestamp &&
        !kernelAlive(pod)
      ) {
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
        const n = await this._delete(podName, session);
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

  /** Delete the executors of `session` of driver pod `podName`; returns how many. */
  private async _delete(podName: string, session: string): Promise<number> {
    // Executors only: a SparkConnect server of the session goes with its resource.
    return deletePods(
      this._access,
      `${reapSelector(podName, session)},${EXECUTOR_ROLE}`
    );
  }

  private _off: (() => void) | null = null;
  private _timer: ReturnType<typeof setInterval> | undefined;
  private _inFlight = new Set<string>();
}
