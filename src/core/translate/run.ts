/**
 * `%run ./path $k="v"`: the callee's cells, translated, inlined into the caller's
 * namespace with its widgets set. Files come through a loader (the Contents API
 * in the browser, the file system in the CLI), so this stays pure.
 */
import { importSource } from '../databricks/source';
import { registerNotebook, runInline } from '../kernel';
import { parseNotebook } from '../script/notebook';
import { ITranslateOptions, ITranslation, translateCell } from './cell';
import { parseMagic } from './magic';

/** Reads a file's text by path (relative to the server root), or null if absent. */
export type FileLoader = (path: string) => Promise<string | null>;

/** Options for translating cells that may `%run` others. */
export interface IRunOptions extends ITranslateOptions {
  /** Path of the notebook the cell belongs to. */
  path: string;
  load: FileLoader;
}

/** The target and `$name=value` arguments of a `%run` line. */
export function parseRun(args: string): {
  target: string;
  params: Record<string, string>;
} {
  const tokens =
    args.match(
      /\$?[\w.-]+=(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\S*)|"(?:[^"\\]|\\.)*"|\S+/g
    ) ?? [];
  const [target, ...rest] = tokens;
  const params: Record<string, string> = {};
  for (const token of rest) {
    const m = /^\$?([\w.-]+)=(.*)$/s.exec(token);
    if (!m) {
      throw new Error(`%run argument "${token}" is not $name="value".`);
    }
    let value = m[2];
    if (/^(["']).*\1$/s.test(value)) {
      value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    }
    params[m[1]] = value;
  }
  if (!target) {
    throw new Error(
      '%run needs a notebook path, e.g. %run ./helpers $env="dev".'
    );
  }
  return { target: target.replace(/^"(.*)"$/, '$1'), params };
}

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** `base`-relative path with `.` and `..` resolved (server paths have no leading slash). */
export function resolvePath(base: string, target: string): string {
  const parts = (target.startsWith('/') ? [] : base.split('/')).filter(Boolean);
  for (const part of target.split('/')) {
    if (!part || part === '.') {
      continue;
    }
    if (part === '..') {
      parts.pop();
    } else {
      parts.push(part);
    }
  }
  return parts.join('/');
}

/** The code cells of a callee file (notebook or Databricks SOURCE). */
function calleeCells(path: string, text: string): string[] {
  if (path.endsWith('.ipynb')) {
    return parseNotebook(JSON.parse(text))
      .cells.filter(c => c.cell_type === 'code')
      .map(c => c.source);
  }
  const ext = path.slice(path.lastIndexOf('.') + 1);
  return importSource(text, ext)
    .cells.filter(c => c.cell_type === 'code')
    .map(c => c.source);
}

/** A callee found through the loader: its path and its code cells. */
interface ICallee {
  path: string;
  cells: string[];
}

/** Find `target` relative to `options.path` (extension optional) and read its cells. */
async function loadCallee(
  what: string,
  target: string,
  options: IRunOptions,
  chain: string[]
): Promise<ICallee> {
  const base = resolvePath(dirname(options.path), target);
  const candidates = /\.(ipynb|py|sql|scala|r)$/.test(base)
    ? [base]
    : [`${base}.ipynb`, `${base}.py`, base];
  let found: string | null = null;
  let text: string | null = null;
  for (const candidate of candidates) {
    text = await options.load(candidate);
    if (text !== null) {
      found = candidate;
      break;
    }
  }
  const via = [...chain].join(' \u2192 ');
  if (found === null || text === null) {
    throw new Error(
      `${what} ${target}: no notebook at ${candidates.join(' or ')} (run from ${via}).`
    );
  }
  if (chain.includes(found)) {
    throw new Error(`${what} cycle: ${[...chain, found].join(' \u2192 ')}.`);
  }
  try {
    return { path: found, cells: calleeCells(found, text) };
  } catch (e) {
    throw new Error(
      `${what} ${target}: ${found} cannot be read as a notebook (${(e as Error).message}).`
    );
  }
}

/** Every cell of a callee translated, `%run` and `dbutils.notebook.run` resolved. */
async function calleeCodes(
  callee: ICallee,
  options: IRunOptions,
  chain: string[]
): Promise<string[]> {
  const codes: string[] = [];
  for (const source of callee.cells) {
    const t = await translateWithRuns(
      source,
      { ...options, path: callee.path },
      [...chain, callee.path]
    );
    const code = (t.prelude ?? '') + t.code;
    if (code.trim()) {
      codes.push(code);
    }
  }
  return codes;
}

async function runCode(
  magicArgs: string,
  options: IRunOptions,
  chain: string[]
): Promise<string> {
  const { target, params } = parseRun(magicArgs);
  const callee = await loadCallee('%run', target, options, chain);
  return runInline(
    callee.path,
    params,
    await calleeCodes(callee, options, chain)
  );
}

/** `dbutils.notebook.run("path", …)` calls whose path is a plain string literal. */
const NOTEBOOK_RUN =
  /\bdbutils\.notebook\.run\(\s*(?:path\s*=\s*)?(['"])((?:(?!\1)[^\\\r\n])+)\1/g;

/** The literal paths a cell passes to `dbutils.notebook.run`, in order, once each. */
export function notebookRunTargets(source: string): string[] {
  const found = new Set<string>();
  for (const m of source.matchAll(NOTEBOOK_RUN)) {
    found.add(m[2]);
  }
  return [...found];
}

/**
 * Python that registers each notebook the cell runs with `dbutils.notebook.run`,
 * translated here, so the runtime runs it in-process (no translation in the kernel).
 */
async function notebookRunPrelude(
  source: string,
  options: IRunOptions,
  chain: string[]
): Promise<string> {
  let prelude = '';
  for (const target of notebookRunTargets(source)) {
    const callee = await loadCallee(
      'dbutils.notebook.run',
      target,
      options,
      chain
    );
    prelude += registerNotebook(
      target,
      await calleeCodes(callee, options, chain)
    );
  }
  return prelude;
}

async function translateWithRuns(
  source: string,
  options: IRunOptions,
  chain: string[]
): Promise<ITranslation> {
  const magic = parseMagic(source);
  if (magic?.name !== 'run') {
    const translation = translateCell(source, options);
    const plainPython = !translation.magic || translation.magic === 'python';
    const prelude = plainPython
      ? await notebookRunPrelude(source, options, chain)
      : '';
    return prelude ? { ...translation, prelude } : translation;
  }
  return {
    magic: 'run',
    code: await runCode(magic.args, options, chain),
    needsSpark: true
  };
}

/** Translate a cell, resolving `%run` (recursively) through `options.load`. */
export function translateCellAsync(
  source: string,
  options: IRunOptions
): Promise<ITranslation> {
  return translateWithRuns(source, options, [options.path]);
}
