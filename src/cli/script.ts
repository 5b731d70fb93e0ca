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
  FileLoader,
  INotebook,
  LOCAL_PROFILE,
  parseNotebook,
  notebookScript,
  sessionConf
} from '../core';
import { CliError } from './errors';

/** Options of the script command. */
export interface IScriptArgs {
  notebook: string;
  output?: string;
  master?: string;
  conf: string[];
  rowLimit?: number;
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
export function scriptFor(args: IScriptArgs): Promise<string> {
  const nb = readNotebook(args.notebook);
  const extra = parseConfPairs(args.conf);
  let conf: Record<string, string>;
  try {
    conf = sessionConf(
      { ...LOCAL_PROFILE, conf: extra },
      { appName: basename(args.notebook).replace(/\.ipynb$/, '') }
    );
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  if (args.master) {
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
