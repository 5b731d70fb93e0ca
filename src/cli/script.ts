/**
 * `spark-k8s script NOTEBOOK.ipynb [-o OUT.py]`: a notebook as one runnable script.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import {
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
  const root = dirname(resolve(args.notebook));
  return notebookScript(nb, {
    conf,
    sourceName: basename(args.notebook),
    path: basename(args.notebook),
    rowLimit: args.rowLimit,
    // %run targets resolve relative to the notebook, like on the server.
    load: async path => {
      try {
        return readFileSync(join(root, path), 'utf8');
      } catch {
        return null;
      }
    }
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
