/**
 * The browser's typed HTTP client of the Spark service (src/service), reached
 * through jupyter-server-proxy at `<base>/spark-k8s-api/` (so only authenticated
 * users): one method per endpoint. Models take an `ISparkServiceClient`, so their
 * tests fake this boundary.
 */
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import {
  IClusterInfo,
  IManifest,
  IPodSummary,
  IScheduleSummary,
  ISecretKeys,
  IServiceError,
  ISparkConnectRequest,
  ISparkConnectStatus,
  JobsStreamMessage
} from '../../core';

/** The path jupyter-server-proxy serves the service under. */
export const SERVICE_PATH = 'spark-k8s-api';

/** A failure from the service, with its typed body. */
export class ServiceRequestError extends Error implements IServiceError {
  constructor(
    readonly code: string,
    message: string,
    readonly hint?: string
  ) {
    super(hint ? `${message} ${hint}` : message);
  }
}

/** Makes the error a failed request rejects with (status 0: unreachable). */
type ErrorFactory = (
  status: number,
  body: Partial<IServiceError> & Record<string, unknown>,
  message: string
) => ServiceRequestError;

const serviceError: ErrorFactory = (status, body, message) =>
  new ServiceRequestError(body.code ?? `HTTP${status}`, message, body.hint);

/** Call the service; resolves with its JSON, rejects with a ServiceRequestError. */
export async function requestService<T>(
  path: string,
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings(),
  toError: ErrorFactory = serviceError
): Promise<T> {
  const url = URLExt.join(settings.baseUrl, SERVICE_PATH, path);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (e) {
    throw toError(
      0,
      { code: 'Unreachable' },
      `The Jupyter server cannot be reached: ${(e as Error).message}`
    );
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const err = (body ?? {}) as Partial<IServiceError> &
      Record<string, unknown>;
    throw toError(
      response.status,
      err,
      err.message ??
        `The Spark service answered ${response.status} ${response.statusText}.`
    );
  }
  return body as T;
}

/** What to publish: the job ConfigMap and the application, as core builds them. */
export interface IPublishRequest {
  /** `[configMap, application]` (`IPublication.objects`). */
  objects: IManifest[];
  /** Take over fields another manager owns (after the user confirmed). */
  force?: boolean;
  /** Only the strict server-side dry run: what would happen, nothing changed. */
  dryRun?: boolean;
}

/** A field another field manager (a GitOps controller, kubectl) owns. */
export interface IPublishConflict {
  /** Field path, e.g. `spec.image`. */
  field: string;
  /** The other manager, e.g. `argocd-controller`. */
  manager: string;
}

/** What POST /publish answers when the objects were applied (or, with `dryRun`, would be). */
export interface PublishResponse {
  ok: true;
  application: {
    apiVersion: string;
    kind: string;
    name: string;
    namespace: string;
    uid: string;
  };
  /** The job ConfigMap the application mounts. */
  configMap: string;
  /** The application did not exist before. */
  created: boolean;
  /** Older job ConfigMaps of the application deleted (with `dryRun`: would be). */
  removed: string[];
  /** Problems after the application was applied (cleanup), in plain words. */
  warnings?: string[];
}

/**
 * A publish the service refused: `status` is the HTTP status (409 with
 * `conflicts` when another manager owns fields: publish again with `force`
 * once the user confirmed; 422 invalid field, 403, 404 operator missing …).
 */
export class PublishError extends ServiceRequestError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    hint?: string,
    /** Present only on a conflict (409). */
    readonly conflicts?: IPublishConflict[]
  ) {
    super(code, message, hint);
  }
}

/** POST /publish; resolves with what was applied, rejects with a PublishError. */
function requestPublish(
  request: IPublishRequest,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<PublishResponse> {
  return requestService<PublishResponse>(
    'publish',
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request)
    },
    settings,
    (status, body, message) =>
      new PublishError(
        status,
        body.code ?? `HTTP${status}`,
        message,
        body.hint,
        Array.isArray(body.conflicts) && body.conflicts.length
          ? (body.conflicts as IPublishConflict[])
          : undefined
      )
  );
}

/** Messages of a session's pod stream. */
export type PodStreamMessage =
  | { type: 'snapshot'; pods: IPodSummary[]; connected: boolean }
  | { type: 'pod'; pod: IPodSummary }
  | { type: 'pod-deleted'; name: string }
  | { type: 'status'; connected: boolean; error?: string };

/** Open the server-sent event stream of a session's executor pods. */
function openPodStream(
  sessionId: string,
  onMessage: (message: PodStreamMessage) => void
): EventSource {
  const settings = ServerConnection.makeSettings();
  let url = URLExt.join(
    settings.baseUrl,
    SERVICE_PATH,
    'sessions',
    encodeURIComponent(sessionId),
    'events'
  );
  const token = PageConfig.getToken();
  if (token) {
    // EventSource cannot send headers; Jupyter also accepts the token as a parameter.
    url += `?token=${encodeURIComponent(token)}`;
  }
  const source = new EventSource(url, { withCredentials: true });
  const parse = (e: MessageEvent) => JSON.parse(e.data as string);
  source.addEventListener('snapshot', e => {
    const data = parse(e as MessageEvent);
    onMessage({ type: 'snapshot', pods: data.pods, connected: data.connected });
  });
  source.addEventListener('pod', e =>
    onMessage({ type: 'pod', pod: parse(e as MessageEvent) })
  );
  source.addEventListener('pod-deleted', e =>
    onMessage({ type: 'pod-deleted', name: parse(e as MessageEvent).name })
  );
  source.addEventListener('status', e => {
    const data = parse(e as MessageEvent);
    onMessage({ type: 'status', connected: data.connected, error: data.error });
  });
  return source;
}

/** A stream the client opened; close it when done. */
export interface IStream {
  close(): void;
}

/** Delays between reopening a stream the browser gave up on. */
const REOPEN_FIRST_MS = 1000;
const REOPEN_MAX_MS = 30_000;

/**
 * An EventSource that comes back. The browser retries a dropped connection by
 * itself, but gives up for good when an answer is not a 200 event stream (the
 * service restarting behind jupyter-server-proxy answers 5xx for a moment):
 * then it is reopened after a growing, jittered delay, until `close()`.
 */
export function reopeningStream(
  open: () => EventSource,
  onInterrupted: () => void
): IStream {
  let source: EventSource | null = null;
  let closed = false;
  let delay = REOPEN_FIRST_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const connect = () => {
    const current = open();
    source = current;
    current.addEventListener('open', () => {
      delay = REOPEN_FIRST_MS;
    });
    current.onerror = () => {
      if (closed || current !== source) {
        return;
      }
      onInterrupted();
      if (current.readyState === EventSource.CLOSED) {
        const wait = delay / 2 + (Math.random() * delay) / 2;
        delay = Math.min(delay * 2, REOPEN_MAX_MS);
        timer = setTimeout(connect, wait);
      }
    };
  };
  connect();
  return {
    close: () => {
      closed = true;
      clearTimeout(timer);
      source?.close();
      source = null;
    }
  };
}

const INTERRUPTED =
  'The stream to the Spark service was interrupted; reconnecting.';

/** The URL of a service path for an EventSource (which sends no headers). */
function streamUrl(...parts: string[]): string {
  const settings = ServerConnection.makeSettings();
  let url = URLExt.join(settings.baseUrl, SERVICE_PATH, ...parts);
  const token = PageConfig.getToken();
  if (token) {
    // EventSource cannot send headers; Jupyter also accepts the token as a parameter.
    url += `?token=${encodeURIComponent(token)}`;
  }
  return url;
}

/** Open GET /jobs/events: a snapshot of the published jobs, then every change. */
function openJobsStream(
  onMessage: (message: JobsStreamMessage) => void
): EventSource {
  const source = new EventSource(streamUrl('jobs', 'events'), {
    withCredentials: true
  });
  for (const type of [
    'snapshot',
    'run',
    'run-deleted',
    'schedule',
    'schedule-deleted',
    'status'
  ]) {
    // Each event's data is the whole message.
    source.addEventListener(type, e =>
      onMessage(JSON.parse((e as MessageEvent).data as string))
    );
  }
  return source;
}

/** Follow GET /jobs/applications/{name}/log until it ends or is closed. */
function openDriverLog(
  name: string,
  onText: (chunk: string) => void,
  onEnd: (error?: string) => void
): IStream {
  const controller = new AbortController();
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(
    settings.baseUrl,
    SERVICE_PATH,
    'jobs',
    'applications',
    encodeURIComponent(name),
    'log'
  );
  let closed = false;
  const read = async () => {
    const response = await ServerConnection.makeRequest(
      `${url}?follow=true`,
      { signal: controller.signal },
      settings
    );
    if (!response.ok) {
      const text = await response.text();
      let body: Partial<IServiceError> = {};
      try {
        body = JSON.parse(text);
      } catch {
        body = {};
      }
      const message =
        body.message ??
        `The Spark service answered ${response.status} ${response.statusText}.`;
      return onEnd(body.hint ? `${message} ${body.hint}` : message);
    }
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) {
        break;
      }
      onText(decoder.decode(chunk.value, { stream: true }));
    }
    onEnd();
  };
  read().catch(e => {
    if (!closed) {
      onEnd(`The driver log stream was interrupted: ${(e as Error).message}`);
    }
  });
  return {
    close: () => {
      closed = true;
      controller.abort();
    }
  };
}

/**
 * Open GET /sparkconnect/{name}/events: each message's data is the whole
 * status, the first at once, then one per change, the last one `deleted`.
 */
function openSparkConnectStream(
  name: string,
  onStatus: (status: ISparkConnectStatus) => void
): EventSource {
  const source = new EventSource(
    streamUrl('sparkconnect', encodeURIComponent(name), 'events'),
    { withCredentials: true }
  );
  source.onmessage = e => {
    const status = JSON.parse(e.data as string) as ISparkConnectStatus;
    onStatus(status);
    if (status.state === 'deleted') {
      // The stream ends after `deleted`: no reconnect.
      source.close();
    }
  };
  return source;
}

/** A JSON request to a service action (jobs, sparkconnect). */
function jobsRequest<T>(path: string, method: string, body?: unknown) {
  return requestService<T>(path, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  });
}

/** What the models need of the Spark service. */
export interface ISparkServiceClient {
  /** GET /cluster: namespace, pod identity, operators, permissions. */
  cluster(): Promise<IClusterInfo>;
  /** GET /secrets: the namespace's Secrets by name and keys (never values). */
  secrets(): Promise<ISecretKeys[]>;
  /** DELETE the executor pods of a session. */
  deleteSessionPods(sessionId: string): Promise<{ deleted: number }>;
  /** The live executor pods of a session. */
  podStream(
    sessionId: string,
    onMessage: (message: PodStreamMessage) => void
  ): IStream;
  /**
   * POST /publish: server-side apply of the job ConfigMap and the application
   * in the server's namespace; rejects with a PublishError (`conflicts` on 409).
   */
  publish(request: IPublishRequest): Promise<PublishResponse>;
  /** GET /jobs/events: the published applications and schedules, live. */
  jobsStream(onMessage: (m: JobsStreamMessage) => void): IStream;
  /** "Run now" of a schedule (with other arguments when given); the new run's name. */
  runSchedule(name: string, args?: string[]): Promise<{ run: string }>;
  /** Run a one-off application again (with other arguments when given). */
  rerunApplication(name: string, args?: string[]): Promise<{ run: string }>;
  /** Suspend or resume a schedule. */
  setScheduleSuspended(
    name: string,
    suspend: boolean
  ): Promise<IScheduleSummary>;
  /** Delete an application or a schedule (and the schedule's runs). */
  deleteJob(
    kind: 'application' | 'schedule',
    name: string
  ): Promise<{ deleted: string }>;
  /** Follow an application's driver log; `onEnd` gets the reason in words when it failed. */
  driverLog(
    name: string,
    onText: (chunk: string) => void,
    onEnd: (error?: string) => void
  ): IStream;
  /**
   * POST /sparkconnect: create the operator's SparkConnect server of a session;
   * rejects with the service's words (CRD missing, forbidden, invalid).
   */
  createSparkConnect(
    request: ISparkConnectRequest
  ): Promise<ISparkConnectStatus>;
  /**
   * A SparkConnect's status, live; `onInterrupted` when the stream dropped
   * (it reconnects). Ends by itself after `deleted`.
   */
  sparkConnectStream(
    name: string,
    onStatus: (status: ISparkConnectStatus) => void,
    onInterrupted: () => void
  ): IStream;
  /** POST /sparkconnect/{name}/activity: the session is in use (resets the idle clock). */
  sparkConnectActivity(name: string): Promise<void>;
  /** DELETE /sparkconnect/{name} (fine when it is already gone). */
  deleteSparkConnect(name: string): Promise<{ deleted: boolean }>;
}

/** The client of the real service. */
export class SparkServiceClient implements ISparkServiceClient {
  cluster(): Promise<IClusterInfo> {
    return requestService<IClusterInfo>('cluster');
  }

  async secrets(): Promise<ISecretKeys[]> {
    return (await requestService<{ secrets: ISecretKeys[] }>('secrets'))
      .secrets;
  }

  deleteSessionPods(sessionId: string): Promise<{ deleted: number }> {
    return requestService(`sessions/${encodeURIComponent(sessionId)}/pods`, {
      method: 'DELETE'
    });
  }

  podStream(
    sessionId: string,
    onMessage: (message: PodStreamMessage) => void
  ): IStream {
    return reopeningStream(
      () => openPodStream(sessionId, onMessage),
      () => onMessage({ type: 'status', connected: false, error: INTERRUPTED })
    );
  }

  publish(request: IPublishRequest): Promise<PublishResponse> {
    return requestPublish(request);
  }

  jobsStream(onMessage: (m: JobsStreamMessage) => void): IStream {
    return reopeningStream(
      () => openJobsStream(onMessage),
      () => onMessage({ type: 'status', connected: false, error: INTERRUPTED })
    );
  }

  runSchedule(name: string, args?: string[]): Promise<{ run: string }> {
    return jobsRequest(
      `jobs/schedules/${encodeURIComponent(name)}/run`,
      'POST',
      args ? { arguments: args } : {}
    );
  }

  rerunApplication(name: string, args?: string[]): Promise<{ run: string }> {
    return jobsRequest(
      `jobs/applications/${encodeURIComponent(name)}/rerun`,
      'POST',
      args ? { arguments: args } : {}
    );
  }

  setScheduleSuspended(
    name: string,
    suspend: boolean
  ): Promise<IScheduleSummary> {
    return jobsRequest(`jobs/schedules/${encodeURIComponent(name)}`, 'PATCH', {
      suspend
    });
  }

  deleteJob(
    kind: 'application' | 'schedule',
    name: string
  ): Promise<{ deleted: string }> {
    return jobsRequest(
      `jobs/${kind === 'schedule' ? 'schedules' : 'applications'}/${encodeURIComponent(name)}`,
      'DELETE'
    );
  }

  driverLog(
    name: string,
    onText: (chunk: string) => void,
    onEnd: (error?: string) => void
  ): IStream {
    return openDriverLog(name, onText, onEnd);
  }

  createSparkConnect(
    request: ISparkConnectRequest
  ): Promise<ISparkConnectStatus> {
    return jobsRequest('sparkconnect', 'POST', request);
  }

  sparkConnectStream(
    name: string,
    onStatus: (status: ISparkConnectStatus) => void,
    onInterrupted: () => void
  ): IStream {
    let ended = false;
    const stream = reopeningStream(
      () =>
        openSparkConnectStream(name, status => {
          ended = status.state === 'deleted';
          onStatus(status);
        }),
      () => {
        if (!ended) {
          onInterrupted();
        }
      }
    );
    return stream;
  }

  async sparkConnectActivity(name: string): Promise<void> {
    await jobsRequest(
      `sparkconnect/${encodeURIComponent(name)}/activity`,
      'POST'
    );
  }

  deleteSparkConnect(name: string): Promise<{ deleted: boolean }> {
    return jobsRequest(`sparkconnect/${encodeURIComponent(name)}`, 'DELETE');
  }
}
