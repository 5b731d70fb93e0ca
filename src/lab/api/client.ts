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
  IPodSummary,
  ISecretKeys,
  IServiceError
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

/** Call the service; resolves with its JSON, rejects with a ServiceRequestError. */
export async function requestService<T>(
  path: string,
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const url = URLExt.join(settings.baseUrl, SERVICE_PATH, path);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (e) {
    throw new ServiceRequestError(
      'Unreachable',
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
    const err = (body ?? {}) as Partial<IServiceError>;
    throw new ServiceRequestError(
      err.code ?? `HTTP${response.status}`,
      err.message ??
        `The Spark service answered ${response.status} ${response.statusText}.`,
      err.hint
    );
  }
  return body as T;
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
  source.onerror = () =>
    onMessage({
      type: 'status',
      connected: false,
      error: 'The stream to the Spark service was interrupted; reconnecting.'
    });
  return source;
}

/** A stream the client opened; close it when done. */
export interface IStream {
  close(): void;
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
    return openPodStream(sessionId, onMessage);
  }
}
