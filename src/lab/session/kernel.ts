/**
 * Talking to the kernel about its Spark session: a contract builder's code goes
 * in, a session-info display message or a plain-words error comes back.
 */
import { Kernel, KernelMessage } from '@jupyterlab/services';
import { JSONObject } from '@lumino/coreutils';
import { RUNTIME_ERROR_NAME, SESSION_MIME } from '../../core';

/** A failure the user should read: what went wrong and what to do. */
export class SessionError extends Error {}

function errorText(content: { ename: string; evalue: string }): string {
  // SparkK8sError messages are written for the user; other errors keep their type.
  return content.ename === RUNTIME_ERROR_NAME
    ? content.evalue
    : `${content.ename}: ${content.evalue}`;
}

/**
 * Run `code` in `kernel` outside any cell; resolve with the announced bundle.
 *
 * Rejects with a SessionError when the code raises, the kernel dies or
 * restarts, or nothing is announced within `timeoutMs`.
 */
export function announceRequest(
  kernel: Kernel.IKernelConnection,
  code: string,
  timeoutMs: number
): Promise<JSONObject> {
  return new Promise<JSONObject>((resolve, reject) => {
    let settled = false;
    let bundle: JSONObject | null = null;
    const finish = (error: SessionError | null) => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      kernel.statusChanged.disconnect(onStatus);
      if (error) {
        reject(error);
      } else if (bundle) {
        resolve(bundle);
      } else {
        reject(
          new SessionError('The kernel finished without reporting a session.')
        );
      }
    };
    const onStatus = (_: Kernel.IKernelConnection, status: Kernel.Status) => {
      if (status === 'dead') {
        finish(
          new SessionError(
            'The kernel died while Spark was starting, often because the driver ran out of memory. Restart the kernel and try again, or lower the profile\u2019s driver memory.'
          )
        );
      } else if (status === 'restarting' || status === 'autorestarting') {
        finish(
          new SessionError(
            'The kernel restarted before Spark was ready. Start the session again.'
          )
        );
      }
    };
    const timer = setTimeout(() => {
      finish(
        new SessionError(
          `Spark did not start within ${Math.round(timeoutMs / 1000)} s. The kernel may be busy running a cell: interrupt it or wait, then start again.`
        )
      );
    }, timeoutMs);
    kernel.statusChanged.connect(onStatus);
    let future: Kernel.IShellFuture<
      KernelMessage.IExecuteRequestMsg,
      KernelMessage.IExecuteReplyMsg
    >;
    try {
      future = kernel.requestExecute({
        code,
        silent: false,
        store_history: false,
        allow_stdin: false,
        stop_on_error: false
      });
    } catch (e) {
      finish(
        new SessionError(`The kernel is not available: ${(e as Error).message}`)
      );
      return;
    }
    future.onIOPub = (msg: KernelMessage.IIOPubMessage) => {
      if (KernelMessage.isDisplayDataMsg(msg)) {
        const data = msg.content.data[SESSION_MIME];
        if (data && typeof data === 'object') {
          bundle = data as JSONObject;
        }
      } else if (KernelMessage.isErrorMsg(msg)) {
        finish(new SessionError(errorText(msg.content)));
      }
    };
    future.done.then(
      reply => {
        const content = reply.content;
        finish(
          content.status === 'error'
            ? new SessionError(errorText(content))
            : null
        );
      },
      (reason: Error) =>
        finish(new SessionError(`The kernel request failed: ${reason.message}`))
    );
  });
}

/** The kernel process, so the service can tell when it is gone. */
export interface IKernelProcess {
  pid: number;
  /** Field 22 of /proc/PID/stat (start time in clock ticks): guards pid reuse. */
  start: string;
}

/**
 * Evaluate fixed `expressions` in the kernel (never user text) and return the
 * `text/plain` repr of each, null for one that failed; null when the request did.
 */
async function evaluate(
  kernel: Kernel.IKernelConnection,
  expressions: Record<string, string>
): Promise<Record<string, string | null> | null> {
  const reply = await kernel.requestExecute({
    code: '',
    silent: true,
    store_history: false,
    user_expressions: expressions
  }).done;
  if (reply.content.status !== 'ok') {
    return null;
  }
  const values =
    (
      reply.content as KernelMessage.IExecuteReplyMsg['content'] & {
        user_expressions?: Record<
          string,
          { status: string; data?: JSONObject }
        >;
      }
    ).user_expressions ?? {};
  const out: Record<string, string | null> = {};
  for (const name of Object.keys(expressions)) {
    const value = values[name];
    const plain = value?.status === 'ok' ? value.data?.['text/plain'] : null;
    out[name] = typeof plain === 'string' ? plain : null;
  }
  return out;
}

/**
 * Ask the kernel for its process id and start time (no user text is sent: two
 * fixed expressions). Null when the kernel cannot say (not on Linux, not Python).
 */
export async function kernelProcess(
  kernel: Kernel.IKernelConnection
): Promise<IKernelProcess | null> {
  const values = await evaluate(kernel, {
    pid: '__import__("os").getpid()',
    stat: 'open("/proc/self/stat").read()'
  });
  return values ? parseKernelProcess(values.pid, values.stat) : null;
}

/**
 * The PySpark version installed in the kernel (`4.3.0`), read without importing
 * it, or null: storage presets pick the jars built for it.
 */
export async function kernelSparkVersion(
  kernel: Kernel.IKernelConnection
): Promise<string | null> {
  const values = await evaluate(kernel, {
    version: '__import__("importlib.metadata").metadata.version("pyspark")'
  });
  const m = /^'(\d+\.\d+\.\d+[^']*)'$/.exec(values?.version ?? '');
  return m ? m[1] : null;
}

/** The pid and start time from the kernel's `repr`s of getpid() and /proc/self/stat. */
export function parseKernelProcess(
  pid: string | null,
  stat: string | null
): IKernelProcess | null {
  const id = Number(pid);
  if (!Number.isInteger(id) || id <= 0 || !stat) {
    return null;
  }
  // A Python string repr: the fields after the command name's closing ")".
  const raw = stat.replace(/^'|'$/g, '');
  const rest = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
  const start = rest[19];
  return start && /^\d+$/.test(start) ? { pid: id, start } : null;
}
