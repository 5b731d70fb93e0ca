/**
 * `spark-k8s job JOB.json --workspace DIR [-o DIR]`: a Databricks Jobs
 * 2.0/2.1 definition as publish manifests (one YAML per notebook task) plus
 * each notebook's job script, with the notebooks read from an imported
 * workspace folder. Everything is converted first; nothing is written unless
 * every task converts.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import {
  buildPublication,
  closureSources,
  convertDatabricksJob,
  imageSparkVersion,
  importExport,
  INotebook,
  IPublishForm,
  IPublishSource,
  Operator,
  parseNotebook,
  publishDefaults,
  ResolvedScopes,
  scopesForUses,
  secretUses
} from '../core';
import { CliError } from './errors';

/** Options of the job command. */
export interface IJobArgs {
  /** The job definition (JSON: settings, or {"job_id", "settings"}). */
  job: string;
  /** The imported workspace the notebook paths resolve against. */
  workspace: string;
  /** Output folder (default: the current folder). */
  output?: string;
  /** `kubeflow` (default) or `apache`. */
  operator?: string;
  image?: string;
  /** Spark version, when the image's tag does not say it. */
  sparkVersion?: string;
  namespace?: string;
  serviceAccount?: string;
  /** `SCOPE=SECRET` pairs: a Databricks secret scope → Kubernetes Secret. */
  secretScopes?: string[];
  /** Storage root of each run's executed notebook and event log. */
  runOutput?: string;
  /** The user recorded as owner (default: $JUPYTERHUB_USER). */
  owner?: string;
  /** Where warnings go (default: stderr as `warning: …`). */
  warn?: (message: string) => void;
}

/** Notebook extensions tried, in order, for a workspace path without one. */
export const WORKSPACE_EXTENSIONS = [
  '.ipynb',
  '.py',
  '.sql',
  '.scala',
  '.r',
  '.R',
  '.html',
  '.htm',
  '.dbc'
];

const OPERATORS: string[] = ['kubeflow', 'apache'];

/** The command's options, for `parseArgs`. */
export const JOB_OPTIONS = {
  workspace: { type: 'string', short: 'w' },
  output: { type: 'string', short: 'o' },
  operator: { type: 'string' },
  image: { type: 'string' },
  'spark-version': { type: 'string' },
  namespace: { type: 'string' },
  'service-account': { type: 'string' },
  'secret-scope': { type: 'string', multiple: true },
  'run-output': { type: 'string' },
  owner: { type: 'string' }
} as const;

/** Usage lines of the command, for the CLI's help. */
export const JOB_USAGE = `  job JOB.json --workspace DIR [-o DIR] [--operator kubeflow|apache] [--image IMAGE]
      [--spark-version V] [--namespace NS] [--service-account SA] [--secret-scope SCOPE=SECRET ...]
      [--run-output URI] [--owner USER]
      A Databricks Jobs 2.0/2.1 definition (job settings, or {"job_id", "settings"}) as
      DIR/NAME.yaml and DIR/NAME.py per notebook task; notebook paths resolve against the
      imported workspace (/Repos/team/etl/etl -> DIR/Repos/team/etl/etl.ipynb, .py, ...).
      What cannot convert is printed as warnings; nothing is written unless every task converts.
`;

/** Parses the command's arguments, runs it and prints the paths written; resolves with 0. */
export async function runJobCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: JOB_OPTIONS
  });
  if (positionals.length !== 1) {
    throw new CliError('job takes exactly one JOB.json.');
  }
  if (!values.workspace) {
    throw new CliError(
      'job needs --workspace DIR: the folder the Databricks workspace was imported to (notebook paths resolve against it).'
    );
  }
  const written = await runJob({
    job: positionals[0],
    workspace: values.workspace,
    output: values.output,
    operator: values.operator,
    image: values.image,
    sparkVersion: values['spark-version'],
    namespace: values.namespace,
    serviceAccount: values['service-account'],
    secretScopes: values['secret-scope'] ?? [],
    runOutput: values['run-output'],
    owner: values.owner
  });
  for (const path of written) {
    process.stdout.write(`wrote ${path}\n`);
  }
  return 0;
}

/** `SCOPE=SECRET` pairs as a mapping; a pair without `=` is an error naming it. */
export function parseScopePairs(pairs: string[]): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1) {
      throw new CliError(
        `--secret-scope "${pair}" is not SCOPE=SECRET (for example --secret-scope prod=prod-credentials).`
      );
    }
    mapping[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return mapping;
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`Cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(
      `${path} is not a job definition: its JSON does not parse (${(e as Error).message}).`
    );
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** `path` inside `root`, or null when it would leave it. */
function inside(root: string, path: string): string | null {
  const full = resolve(root, path);
  const rel = relative(root, full);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? null : full;
}

/** A workspace notebook found on disk: its file and its path relative to the workspace. */
interface IFound {
  file: string;
  /** Workspace-relative path with `/` (the notebook's Contents path). */
  path: string;
}

/**
 * Finds the file of a workspace notebook path (`/Repos/team/etl/etl` →
 * `DIR/Repos/team/etl/etl.ipynb`, `.py`, …); returns it, or every place looked.
 */
export function findNotebook(
  workspace: string,
  notebookPath: string
): IFound | { looked: string[] } {
  const trimmed = notebookPath.replace(/\\/g, '/').replace(/^\/+/, '');
  const bases = [trimmed];
  // The same notebook is /Workspace/Users/… and /Users/… on Databricks.
  if (/^Workspace\//.test(trimmed)) {
    bases.push(trimmed.replace(/^Workspace\//, ''));
  }
  const looked: string[] = [];
  for (const base of bases) {
    const full = inside(workspace, base);
    if (!full) {
      looked.push(`${join(workspace, base)} (outside the workspace)`);
      continue;
    }
    const names = WORKSPACE_EXTENSIONS.some(ext => base.endsWith(ext))
      ? [full]
      : [full, ...WORKSPACE_EXTENSIONS.map(ext => full + ext)];
    for (const name of names) {
      if (isFile(name)) {
        return {
          file: name,
          path: relative(workspace, name).split(sep).join('/')
        };
      }
    }
    looked.push(
      names.length > 1 ? `${full}{${WORKSPACE_EXTENSIONS.join(',')}}` : full
    );
  }
  return { looked };
}

/** A workspace file as a notebook: Jupyter as is, any Databricks export imported. */
export async function loadNotebook(found: IFound): Promise<INotebook> {
  const bytes = readFileSync(found.file);
  const name = found.file.slice(found.file.lastIndexOf(sep) + 1);
  try {
    if (name.endsWith('.ipynb')) {
      const content = JSON.parse(bytes.toString('utf8'));
      if (!content?.metadata?.['application/vnd.databricks.v1+notebook']) {
        return parseNotebook(content);
      }
    }
    const notebooks = await importExport(name, new Uint8Array(bytes));
    if (notebooks.size !== 1) {
      throw new Error(
        `it holds ${notebooks.size} notebooks; a task runs exactly one`
      );
    }
    return [...notebooks.values()][0];
  } catch (e) {
    throw new CliError(
      `${found.file} cannot be read as a notebook: ${(e as Error).message}`
    );
  }
}

/** The base form every task starts from: the command's options over the defaults. */
function baseForm(args: IJobArgs): IPublishForm {
  const base = publishDefaults({
    notebookPath: args.job,
    namespace: args.namespace ?? 'default',
    serviceAccount: args.serviceAccount,
    parameters: {},
    secretScopes: {},
    timeZone: 'UTC',
    operator: args.operator as Operator | undefined,
    runOutput: args.runOutput,
    owner: args.owner ?? process.env.JUPYTERHUB_USER
  });
  if (args.image) {
    base.image = args.image;
    base.sparkVersion = imageSparkVersion(args.image) ?? base.sparkVersion;
  }
  if (args.sparkVersion) {
    base.sparkVersion = args.sparkVersion;
  }
  return base;
}

/** The secrets the notebook's closure reads, with the job's env variables over them. */
function mergeScopes(
  fromNotebook: ResolvedScopes,
  fromJob: ResolvedScopes
): ResolvedScopes {
  const out: ResolvedScopes = {};
  for (const scopes of [fromNotebook, fromJob]) {
    for (const [scope, spec] of Object.entries(scopes)) {
      const entry = (out[scope] ??= { secret: spec.secret, env: {} });
      entry.secret = spec.secret;
      Object.assign(entry.env, spec.env);
    }
  }
  return out;
}

/** Run the command; returns the paths written (a YAML and a script per notebook task). */
export async function runJob(args: IJobArgs): Promise<string[]> {
  const warn =
    args.warn ?? ((m: string) => process.stderr.write(`warning: ${m}\n`));
  if (args.operator !== undefined && !OPERATORS.includes(args.operator)) {
    throw new CliError(
      `--operator "${args.operator}" is not one of ${OPERATORS.join(', ')}.`
    );
  }
  let workspaceStat;
  try {
    workspaceStat = statSync(args.workspace);
  } catch {
    throw new CliError(
      `The workspace folder ${args.workspace} does not exist: pass the folder an imported Databricks workspace is in (--workspace DIR).`
    );
  }
  if (!workspaceStat.isDirectory()) {
    throw new CliError(`--workspace ${args.workspace} is not a folder.`);
  }
  const workspace = resolve(args.workspace);
  const secretNames = parseScopePairs(args.secretScopes ?? []);
  const json = readJson(args.job);
  const conversion = convertDatabricksJob(json, baseForm(args), {
    secretNames
  });
  if ('errors' in conversion) {
    throw new CliError(
      `${args.job} cannot be converted:\n  ${conversion.errors.join('\n  ')}`
    );
  }

  const errors: string[] = [];
  // A publication's warning, with the tasks it is about (said once for all).
  const published = new Map<string, string[]>();
  const outputs: Array<[string, string]> = [];
  const outDir = resolve(args.output ?? '.');
  for (const task of conversion.tasks) {
    const label = `task "${task.taskKey}"`;
    const found = findNotebook(workspace, task.notebookPath);
    if ('looked' in found) {
      errors.push(
        `${label}: notebook ${task.notebookPath} not found in the workspace; looked for ${found.looked.join(' and ')}.`
      );
      continue;
    }
    let notebook: INotebook;
    try {
      notebook = await loadNotebook(found);
    } catch (e) {
      errors.push(`${label}: ${(e as Error).message}`);
      continue;
    }
    const source: IPublishSource = {
      notebook,
      path: found.path,
      load: async path => {
        const full = inside(workspace, path);
        if (!full) {
          return null;
        }
        try {
          return readFileSync(full, 'utf8');
        } catch {
          return null;
        }
      }
    };
    const form = {
      ...task.form,
      secretScopes: mergeScopes(
        scopesForUses(secretUses(await closureSources(source)), secretNames),
        task.form.secretScopes
      )
    };
    const result = await buildPublication(source, form);
    if ('problems' in result) {
      for (const problem of result.problems) {
        errors.push(
          `${label} (${found.path}): ${problem.field ? `${problem.field}: ` : ''}${problem.message}`
        );
      }
      continue;
    }
    const { publication } = result;
    for (const warning of publication.warnings) {
      published.set(warning, [...(published.get(warning) ?? []), label]);
    }
    outputs.push([join(outDir, `${form.name}.yaml`), publication.yaml]);
    outputs.push([join(outDir, `${form.name}.py`), publication.script]);
  }
  for (const warning of conversion.warnings) {
    warn(warning);
  }
  for (const [warning, labels] of published) {
    warn(
      labels.length === conversion.tasks.length
        ? warning
        : `${labels.join(', ')}: ${warning}`
    );
  }
  if (errors.length) {
    throw new CliError(
      `${args.job}: nothing written.\n  ${errors.join('\n  ')}`
    );
  }
  mkdirSync(outDir, { recursive: true });
  for (const [path, text] of outputs) {
    writeFileSync(path, text, { mode: 0o644 });
  }
  return outputs.map(([path]) => path);
}
