/**
 * `spark-k8s script NOTEBOOK.ipynb [-o OUT.py]`: a notebook as one runnable script.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import {
  basename,
  isAbsolute,
  join,
  parse,
  relative,
  resolve,
  sep
} from 'node:path';
import {
  ConnectTokenRef,
  FileLoader,
  INotebook,
  LOCAL_PROFILE,
  parseNotebook,
  notebookScript,
  SessionProfile,
  sessionConf
} from '../core';
import { CliError } from './errors';

/** Options of the script command. */
export interface IScriptArgs {
  notebook: string;
  output?: string;
  /** `local[*]`, `spark://host:7077` (a standalone cluster) or any other master. */
  master?: string;
  /** `sc://host:port`: a Spark Connect server. */
  remote?: string;
  /** Connect over TLS (with `remote`). */
  tls?: boolean;
  /** File the script reads the Connect token from (with `remote`). */
  tokenFile?: string;
  /** Environment variable the script reads the Connect token from (with `remote`). */
  tokenEnv?: string;
  /** The Connect server takes no token (with `remote`). */
  noToken?: boolean;
  conf: string[];
  rowLimit?: number;
}

/** The variable a generated script reads a Spark Connect token from by default. */
export const DEFAULT_TOKEN_ENV = 'SPARK_CONNECT_TOKEN';

/**
 * The profile the script's session is built from, so its conf has the same
 * keys as the panel's: `--master spark://…` is a standalone profile,
 * `--remote sc://…` a connect profile whose token is a file or a variable
 * read when the script runs (never a value in the script).
 */
export function scriptProfile(
  args: Pick<
    IScriptArgs,
    'master' | 'remote' | 'tls' | 'tokenFile' | 'tokenEnv' | 'noToken'
  >,
  conf: Record<string, string>,
  cwd: string = process.cwd()
): SessionProfile {
  if (args.master !== undefined && args.remote !== undefined) {
    throw new CliError(
      '--master and --remote exclude each other: a script runs on a master (local[*], spark://…) or against a Spark Connect server (sc://…).'
    );
  }
  if (args.remote === undefined) {
    const connectOnly = (
      [
        ['--tls', args.tls],
        ['--token-file', args.tokenFile],
        ['--token-env', args.tokenEnv],
        ['--no-token', args.noToken]
      ] as Array<[string, unknown]>
    ).filter(([, value]) => value !== undefined && value !== false);
    if (connectOnly.length) {
      throw new CliError(
        `${connectOnly.map(([flag]) => flag).join(', ')} only go${connectOnly.length === 1 ? 'es' : ''} with --remote sc://host:port.`
      );
    }
  }
  if (args.remote !== undefined) {
    const sources = (
      [
        ['--token-file', args.tokenFile !== undefined],
        ['--token-env', args.tokenEnv !== undefined],
        ['--no-token', args.noToken === true]
      ] as Array<[string, boolean]>
    ).filter(([, given]) => given);
    if (sources.length > 1) {
      throw new CliError(
        `${sources.map(([flag]) => flag).join(' and ')} exclude each other: the token comes from one place (or, with --no-token, from none).`
      );
    }
    let token: ConnectTokenRef | undefined;
    if (args.noToken) {
      token = undefined;
    } else if (args.tokenFile !== undefined) {
      if (!args.tokenFile) {
        throw new CliError('--token-file needs a path.');
      }
      // Absolute: the script may run from another folder.
      token = { file: resolve(cwd, args.tokenFile) };
    } else {
      token = { env: args.tokenEnv ?? DEFAULT_TOKEN_ENV };
    }
    return {
      name: 'script',
      kind: 'connect',
      remote: args.remote,
      ...(args.tls ? { tls: true } : {}),
      ...(token ? { token } : {}),
      conf
    };
  }
  if (args.master?.startsWith('spark://')) {
    return { name: 'script', kind: 'standalone', master: args.master, conf };
  }
  return { ...LOCAL_PROFILE, conf };
}

/** Parse `k=v` conf pairs; a pair without `=` is an error naming it. */
export function parseConfPairs(pairs: string[]): Record<string, string> {
  const conf: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new CliError(
        `--conf "${pair}" is not KEY=VALUE (for example --conf spark.sql.shuffle.partitions=8).`
      );
    }
    conf[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return conf;
}

/** Read and check a notebook file, with errors that name the file. */
export function readNotebook(path: string): INotebook {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`Cannot read ${path}: ${(e as Error).message}`);
  }
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch (e) {
    throw new CliError(
      `${path} is not a notebook: its JSON does not parse (${(e as Error).message}).`
    );
  }
  try {
    return parseNotebook(content);
  } catch (e) {
    throw new CliError(`${path}: ${(e as Error).message}`);
  }
}

/**
 * A notebook file as the browser sees it: its path under the Jupyter root (the
 * current folder when the notebook is inside it, else the file system's root)
 * and a loader of `%run` / `dbutils.notebook.run` targets under the same root,
 * so `%run ../x` resolves against the notebook's folder exactly as in JupyterLab.
 */
export function notebookLocation(
  file: string,
  cwd: string = process.cwd()
): { path: string; load: FileLoader } {
  const full = resolve(cwd, file);
  const rel = relative(cwd, full);
  const root =
    rel && !rel.startsWith('..') && !isAbsolute(rel) ? cwd : parse(full).root;
  return {
    path: relative(root, full).split(sep).join('/'),
    load: async path => {
      try {
        return readFileSync(join(root, ...path.split('/')), 'utf8');
      } catch {
        return null;
      }
    }
  };
}

/** Build the script text for the parsed arguments. */
export async function scriptFor(args: IScriptArgs): Promise<string> {
  const nb = readNotebook(args.notebook);
  const extra = parseConfPairs(args.conf);
  const profile = scriptProfile(args, extra);
  let conf: Record<string, string>;
  try {
    conf = sessionConf(profile, {
      appName: basename(args.notebook).replace(/\.ipynb$/, '')
    });
  } catch (e) {
    const flag =
      profile.kind === 'connect'
        ? '--remote'
        : profile.kind === 'standalone'
          ? '--master'
          : '--conf';
    throw new CliError(
      `${flag}: ${(e as Error).message.replace(/Profile "script": /g, '')}`
    );
  }
  if (args.master && profile.kind === 'local') {
    // Any other master (local[N], k8s://…) as given, as before.
    conf['spark.master'] = args.master;
  }
  // %run targets resolve relative to the notebook, as on the server.
  const { path, load } = notebookLocation(args.notebook);
  return notebookScript(nb, {
    conf,
    sourceName: basename(args.notebook),
    path,
    rowLimit: args.rowLimit,
    load
  }).catch(e => {
    throw e instanceof CliError ? e : new CliError((e as Error).message);
  });
}

/** Run the command: write the script to a file or stdout. */
export async function runScript(args: IScriptArgs): Promise<void> {
  const text = await scriptFor(args);
  if (args.output) {
    writeFileSync(args.output, text, { mode: 0o644 });
  } else {
    process.stdout.write(text);
  }
}
