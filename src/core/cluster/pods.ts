/**
 * Executor pods as the panel shows them: one line each, with a readable
 * reason for every pod that is not Running and ready.
 */

/** The parts of a Kubernetes Pod this module reads. */
export interface IPodLike {
  metadata?: {
    name?: string;
    uid?: string;
    creationTimestamp?: string | Date;
    labels?: Record<string, string>;
  };
  spec?: {
    nodeName?: string;
    containers?: Array<{
      name?: string;
      image?: string;
      resources?: { requests?: Record<string, string | number> };
    }>;
  };
  status?: {
    phase?: string;
    conditions?: Array<{
      type?: string;
      status?: string;
      reason?: string;
      message?: string;
    }>;
    containerStatuses?: Array<{
      name?: string;
      ready?: boolean;
      restartCount?: number;
      state?: {
        waiting?: { reason?: string; message?: string };
        terminated?: { reason?: string; message?: string; exitCode?: number };
      };
      lastState?: { terminated?: { reason?: string; exitCode?: number } };
    }>;
  };
}

/** The parts of a Kubernetes Event this module reads. */
export interface IEventLike {
  involvedObject?: { kind?: string; name?: string };
  reason?: string;
  message?: string;
  type?: string;
  lastTimestamp?: string | Date | null;
  eventTime?: string | Date | null;
  metadata?: { creationTimestamp?: string | Date };
}

/** One executor pod in the panel. */
export interface IPodSummary {
  name: string;
  phase: string;
  ready: boolean;
  restarts: number;
  node: string | null;
  cpu: string | null;
  memory: string | null;
  /** Why the pod is not Running and ready, in words; null when it is. */
  reason: string | null;
}

const WAITING_WORDS: Record<string, string> = {
  ImagePullBackOff: 'the image cannot be pulled',
  ErrImagePull: 'the image cannot be pulled',
  InvalidImageName: 'the image name is invalid',
  CrashLoopBackOff: 'the executor keeps crashing and is being restarted',
  CreateContainerConfigError:
    'the container configuration is invalid (a missing Secret or ConfigMap?)',
  ContainerCreating: 'the container is being created'
};

function eventTime(e: IEventLike): number {
  const t = e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp;
  return t ? new Date(t).getTime() : 0;
}

/** Summarise a pod; `events` are the Events about it (any order). */
export function podSummary(
  pod: IPodLike,
  events: readonly IEventLike[] = []
): IPodSummary {
  const status = pod.status ?? {};
  const phase = status.phase ?? 'Pending';
  const containers = status.containerStatuses ?? [];
  const ready = containers.length > 0 && containers.every(c => c.ready);
  const restarts = containers.reduce((n, c) => n + (c.restartCount ?? 0), 0);
  const requests = pod.spec?.containers?.[0]?.resources?.requests ?? {};
  const summary: IPodSummary = {
    name: pod.metadata?.name ?? '',
    phase,
    ready,
    restarts,
    node: pod.spec?.nodeName ?? null,
    cpu: requests.cpu !== undefined ? String(requests.cpu) : null,
    memory: requests.memory !== undefined ? String(requests.memory) : null,
    reason: null
  };
  if (phase === 'Running' && ready) {
    return summary;
  }
  summary.reason = podReason(pod, events);
  return summary;
}

function podReason(pod: IPodLike, events: readonly IEventLike[]): string {
  const status = pod.status ?? {};
  for (const c of status.containerStatuses ?? []) {
    const waiting = c.state?.waiting;
    if (waiting?.reason && waiting.reason !== 'ContainerCreating') {
      const words = WAITING_WORDS[waiting.reason] ?? waiting.reason;
      const image = pod.spec?.containers?.find(x => x.name === c.name)?.image;
      const what =
        waiting.reason.includes('Image') && image ? ` (${image})` : '';
      return `${waiting.reason}: ${words}${what}${waiting.message ? ': ' + waiting.message : ''}`;
    }
    const terminated = c.state?.terminated ?? c.lastState?.terminated;
    if (terminated?.reason === 'OOMKilled') {
      return 'OOMKilled: the executor ran out of memory; raise executor memory or memoryOverhead';
    }
    if (c.state?.terminated) {
      return `Terminated: ${c.state.terminated.reason ?? 'exited'} (exit code ${c.state.terminated.exitCode ?? '?'})`;
    }
  }
  const name = pod.metadata?.name;
  const latest = [...events]
    .filter(e => e.involvedObject?.name === name && e.type === 'Warning')
    .sort((a, b) => eventTime(b) - eventTime(a))[0];
  const unscheduled = (status.conditions ?? []).find(
    c => c.type === 'PodScheduled' && c.status === 'False'
  );
  if (latest?.reason === 'FailedScheduling' || unscheduled) {
    const message =
      latest?.reason === 'FailedScheduling'
        ? latest.message
        : unscheduled?.message;
    return `Not scheduled: ${message ?? unscheduled?.reason ?? 'no node fits the pod'}`;
  }
  if (latest) {
    return `${latest.reason ?? 'Warning'}: ${latest.message ?? ''}`.trim();
  }
  if (status.phase === 'Failed' || status.phase === 'Succeeded') {
    return `${status.phase}`;
  }
  if (!pod.spec?.nodeName) {
    return 'Waiting to be scheduled';
  }
  return status.phase === 'Running'
    ? 'Starting: not ready yet'
    : 'Starting the container';
}
