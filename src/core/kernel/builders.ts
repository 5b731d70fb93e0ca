/**
 * Every call into the Python runtime, as typed builders of Python text.
 *
 * No other file writes runtime Python: the cell executor, the session model,
 * the parameter bar, scripts and jobs all come here. Every user string goes
 * through `pyStr`, so no input can become code; contract.spec.ts runs each
 * builder's output in a real Python with the runtime loaded.
 */
import {
  RUNTIME_ARCHIVE_BASE64,
  RUNTIME_ARCHIVE_SHA256
} from './archive.generated';
import { RUNTIME_MODULE, RUNTIME_NAME } from './contract';
import { pyStr, pyStrDict, pyStrList } from './pystr';

const RT = RUNTIME_NAME;

/** A Databricks secret scope resolved to its Secret and the variable of each key. */
export interface IResolvedScope {
  /** The Kubernetes Secret the scope reads. */
  secret: string;
  /** Data key → environment variable a job or executor reads it from. */
  env: Record<string, string>;
}

/** Secret scopes as the runtime receives them: resolved once, in core. */
export type ResolvedScopes = Record<string, IResolvedScope>;

/** One instruction of a `%sql` cell. */
export type SqlItem =
  | { kind: 'sql'; statement: string; markers: string[] }
  | {
      kind: 'create_widget';
      type: 'text' | 'dropdown' | 'combobox' | 'multiselect';
      name: string;
      defaultValue: string;
      choicesQuery?: string;
    }
  | { kind: 'remove_widget'; name: string };

/** A JSON-able value as a Python expression, decoded in the kernel from a safe literal. */
export function pyJson(value: unknown): string {
  return `__import__("json").loads(${pyStr(JSON.stringify(value))})`;
}

/** A guard: run `body` only where the runtime is already loaded. */
function ifLoaded(body: string): string {
  return `if ${pyStr(RT)} in globals():\n    ${body}`;
}

/**
 * Python that loads the runtime archive into this namespace as `_spark_k8s_runtime`,
 * once: the archive is written to a private folder, checked against its SHA-256,
 * put on `sys.path` and imported (a kernel needs nothing of this package installed).
 */
export function runtimeBootstrap(): string {
  return [
    'def _spark_k8s_load_runtime(archive, digest):',
    '    import base64, hashlib, importlib, os, sys, tempfile',
    `    loaded = sys.modules.get(${pyStr(RUNTIME_MODULE)})`,
    '    if loaded is not None:',
    '        return loaded',
    '    data = base64.b64decode(archive)',
    '    if hashlib.sha256(data).hexdigest() != digest:',
    '        raise RuntimeError("The Spark runtime archive arrived damaged: reload the page and try again.")',
    '    folder = tempfile.mkdtemp(prefix="spark-k8s-runtime-")',
    `    path = os.path.join(folder, ${pyStr(RUNTIME_MODULE + '.zip')})`,
    '    with open(path, "wb") as f:',
    '        f.write(data)',
    '    sys.path.insert(0, path)',
    `    return importlib.import_module(${pyStr(RUNTIME_MODULE)})`,
    '',
    '',
    // Loading twice would drop the running session's state: keep the first.
    `if ${pyStr(RT)} not in globals():`,
    `    ${RT} = _spark_k8s_load_runtime(${pyStr(RUNTIME_ARCHIVE_BASE64)}, ${pyStr(RUNTIME_ARCHIVE_SHA256)})`,
    'del _spark_k8s_load_runtime',
    ''
  ].join('\n');
}

/**
 * Python for a published job's driver: the archive arrives through Spark's
 * `--py-files` (the same bytes as the kernel's), so it is imported, not embedded.
 */
export function jobBootstrap(): string {
  return [
    'try:',
    `    import ${RUNTIME_MODULE} as ${RT}`,
    'except ImportError:',
    '    raise SystemExit("The Spark runtime archive is missing: the application must pass it with --py-files (spec.deps.pyFiles).") from None',
    ''
  ].join('\n');
}

/** What a session start needs besides the Spark conf. */
export interface IStartOptions {
  /** Spark conf, resolved in core (`sessionConf`). */
  conf: Record<string, string>;
  /** An executor pod template (a Pod as JSON), for what conf cannot say. */
  podTemplate?: Record<string, unknown> | null;
  /** Secret scopes, resolved in core. */
  secretScopes?: ResolvedScopes;
  /** The notebook's Contents API path, for the notebook context (`notebookPath()`). */
  notebookPath?: string;
}

function startCall(options: IStartOptions): string {
  const template = options.podTemplate ? pyJson(options.podTemplate) : 'None';
  return `${RT}.start_session(${pyStrDict(options.conf)}, user_ns=globals(), pod_template=${template}, secret_scopes=${pyJson(options.secretScopes ?? {})})`;
}

/** Load the runtime, start the session and announce it to the panel. */
export function startSession(options: IStartOptions): string {
  const path =
    options.notebookPath !== undefined
      ? `${RT}.set_notebook_path(${pyStr(options.notebookPath)})\n`
      : '';
  return runtimeBootstrap() + path + `${RT}.announce(${startCall(options)})\n`;
}

/** The notebook's path for the notebook context (if the runtime is loaded), e.g. after a rename. */
export function setNotebookPath(path: string): string {
  return ifLoaded(`${RT}.set_notebook_path(${pyStr(path)})`) + '\n';
}

/** Stop the session (if the runtime is loaded) and announce that it stopped. */
export function stopSession(): string {
  return ifLoaded(`${RT}.announce(${RT}.stop_session())`) + '\n';
}

/** Announce the current session (if the runtime is loaded): a reloaded page finds it again. */
export function announceSession(): string {
  return ifLoaded(`${RT}.announce(${RT}.session_info())`) + '\n';
}

/** Parameter-bar values into the kernel's `dbutils.widgets`. */
export function setWidgetValues(
  values: Readonly<Record<string, string>>
): string {
  return ifLoaded(`${RT}.set_widget_values(${pyStrDict(values)})`) + '\n';
}

/** A user expression that evaluates to the declared widgets (JSON), or None. */
export function widgetsExpression(): string {
  return `${RT}.widgets_bundle() if ${pyStr(RT)} in globals() else None`;
}

/** A cell that cannot run: raises `kind: message` in the kernel, so a "run all" stops there. */
export function failCell(kind: string, message: string): string {
  return runtimeBootstrap() + `${RT}.fail(${pyStr(kind)}, ${pyStr(message)})\n`;
}

function sqlItem(item: SqlItem): string {
  switch (item.kind) {
    case 'remove_widget':
      return `("remove_widget", ${pyStr(item.name)})`;
    case 'create_widget': {
      const choices =
        item.choicesQuery !== undefined ? pyStr(item.choicesQuery) : 'None';
      return `("create_widget", ${pyStr(item.type)}, ${pyStr(item.name)}, ${pyStr(item.defaultValue)}, ${choices})`;
    }
    default:
      return `("sql", ${pyStr(item.statement)}, ${pyStrList(item.markers)})`;
  }
}

/** A `%sql` cell: its instructions in order, the last result shown and bound to `_sqldf`. */
export function sqlCell(items: readonly SqlItem[], rowLimit: number): string {
  return `_sqldf = ${RT}.sql_cell([${items.map(sqlItem).join(', ')}], limit=${Math.trunc(rowLimit)})`;
}

/** Runtime functions that take a cell's text: `%md`, `%sh`, `%fs`, `%pip`. */
export type TextMagic = 'markdown' | 'sh' | 'fs_magic' | 'pip';

/** A magic cell handled by one runtime function of its text. */
export function textMagicCell(fn: TextMagic, text: string): string {
  return `${RT}.${fn}(${pyStr(text)})`;
}

/** A cell in a language the Python kernel cannot run (`%scala`, `%r`). */
export function unsupportedCell(language: string): string {
  return `${RT}.unsupported(${pyStr(language)})`;
}

/**
 * Makes a `%run` target's translated cells available by its resolved path.
 * Every notebook of a closure is registered once, at the top of the cell, so
 * nesting never nests (and re-escapes) one notebook's code in another's.
 */
export function registerRun(path: string, codes: readonly string[]): string {
  return `${RT}.register_run(${pyStr(path)}, ${pyStrList(codes)})\n`;
}

/** `%run`: the registered callee's cells run in this namespace, its widgets set. */
export function runInline(
  path: string,
  params: Readonly<Record<string, string>>
): string {
  return `${RT}.run_inline(${pyStr(path)}, ${pyStrDict(params)}, globals())`;
}

/** Makes a translated notebook available to `dbutils.notebook.run(path)` in this process. */
export function registerNotebook(
  path: string,
  codes: readonly string[]
): string {
  return `${RT}.register_notebook(${pyStr(path)}, ${pyStrList(codes)})\n`;
}

/** The start of a script or job: configure secrets and start the session. */
export function scriptStart(
  conf: Record<string, string>,
  secretScopes: ResolvedScopes = {}
): string {
  return startCall({ conf, secretScopes }) + '\n';
}

/** The end of a script or job: stop Spark so the JVM exits cleanly. */
export function scriptEnd(): string {
  return `${RT}.finish_script()\n`;
}

/** One cell of a published notebook, as the runtime's `run_job` receives it (data, not code). */
export interface IJobCell {
  /** 1-based position in the notebook. */
  index: number;
  /** The cell's title (`metadata.spark_k8s.title`), or null. */
  title: string | null;
  type: 'code' | 'markdown' | 'raw';
  /** The original source, for the executed notebook. */
  source: string;
  /**
   * A code cell's translated Python (prelude and code), when it differs from
   * the source; absent: the source runs as it is (plain Python).
   */
  code?: string;
}

/** What a job's run needs besides its cells. */
export interface IRunJobOptions {
  /** The notebook's Contents API path (the notebook context). */
  notebookPath: string;
  /** Secret scopes, resolved in core (values come from the job's environment). */
  secretScopes?: ResolvedScopes;
}

function jobCell(cell: IJobCell): string {
  if (!Number.isInteger(cell.index) || cell.index < 1) {
    throw new Error(
      `A job cell's index must be a positive integer, not ${cell.index}.`
    );
  }
  const fields = [
    `"index": ${cell.index}`,
    `"title": ${cell.title === null ? 'None' : pyStr(cell.title)}`,
    `"type": ${pyStr(cell.type)}`,
    `"source": ${pyStr(cell.source)}`
  ];
  if (cell.code !== undefined) {
    fields.push(`"code": ${pyStr(cell.code)}`);
  }
  return `{${fields.join(', ')}}`;
}

/**
 * A published job's run: the runtime runs the cells (passed as data) in this
 * namespace in job mode, writes the executed notebook and exits with the
 * job's status. One cell per line, so a new version diffs cleanly.
 */
export function runJob(
  cells: readonly IJobCell[],
  options: IRunJobOptions
): string {
  const list = cells.length
    ? '[\n' + cells.map(c => `        ${jobCell(c)},\n`).join('') + '    ]'
    : '[]';
  return [
    `${RT}.run_job(`,
    `    ${list},`,
    `    notebook_path=${pyStr(options.notebookPath)},`,
    `    secret_scopes=${pyJson(options.secretScopes ?? {})},`,
    '    user_ns=globals(),',
    ')',
    ''
  ].join('\n');
}
