/**
 * `%run ./path $k="v"`: the callee's cells, translated, inlined into the caller's
 * namespace with its widgets set. Files come through a loader (the Contents API
 * in the browser, the file system in the CLI), so this stays pure.
 */
import { importSource } from '../databricks/source';
import { registerNotebook, registerRun, runInline } from '../kernel';
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

/**
 * `base`-relative path with `.` and `..` resolved (server paths have no leading
 * slash); a path going above the root is an error.
 */
export function resolvePath(base: string, target: string): string {
  const parts = (target.startsWith('/') ? [] : base.split('/')).filter(Boolean);
  for (const part of target.split('/')) {
    if (!part || part === '.') {
      continue;
    }
    if (part === '..') {
      if (!parts.length) {
        // Going on at the root would silently pick another notebook.
        throw new Error(
          `${target} goes above the root folder (from ${base || 'the root'}).`
        );
      }
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

/**
 * The deepest `%run` / `dbutils.notebook.run` nesting translated: deeper chains
 * are almost always a mistake (or a cycle through differently spelt paths) and
 * would make every cell that starts them slow to translate and large to send.
 */
export const MAX_RUN_DEPTH = 32;

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
  let base: string;
  try {
    base = resolvePath(dirname(options.path), target);
  } catch (e) {
    throw new Error(
      `${what} ${target}: ${(e as Error).message} (run from ${chain.join(' \u2192 ')}).`
    );
  }
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
  if (chain.length > MAX_RUN_DEPTH) {
    throw new Error(
      `${what} ${target}: notebooks are nested more than ${MAX_RUN_DEPTH} deep (${[...chain, found].join(' \u2192 ')}). Run a shared notebook once from the top instead of from each level.`
    );
  }
  try {
    return { path: found, cells: calleeCells(found, text) };
  } catch (e) {
    throw new Error(
      `${what} ${target}: ${found} cannot be read as a notebook (${(e as Error).message}).`
    );
  }
}

/**
 * The registrations a cell needs before it runs: each notebook of its
 * closure once, by resolved path (`%run`) or literal (`dbutils.notebook.run`).
 */
class Prelude {
  private readonly parts: string[] = [];
  private readonly seen = new Set<string>();

  /** Adds `code` under `key` unless that key is already registered. */
  add(key: string, code: () => string): void {
    if (!this.seen.has(key)) {
      this.seen.add(key);
      this.parts.push(code());
    }
  }

  has(key: string): boolean {
    return this.seen.has(key);
  }

  text(): string {
    return this.parts.join('');
  }
}

/** Every cell of a callee translated, its own registrations hoisted into `prelude`. */
async function calleeCodes(
  callee: ICallee,
  options: IRunOptions,
  chain: string[],
  prelude: Prelude
): Promise<string[]> {
  const codes: string[] = [];
  for (const source of callee.cells) {
    const code = await translateWithRuns(
      source,
      { ...options, path: callee.path },
      [...chain, callee.path],
      prelude
    );
    if (code.trim()) {
      codes.push(code);
    }
  }
  return codes;
}

async function runCode(
  magicArgs: string,
  options: IRunOptions,
  chain: string[],
  prelude: Prelude
): Promise<string> {
  const { target, params } = parseRun(magicArgs);
  const callee = await loadCallee('%run', target, options, chain);
  const key = `run\0${callee.path}`;
  if (!prelude.has(key)) {
    const codes = await calleeCodes(callee, options, chain, prelude);
    prelude.add(key, () => registerRun(callee.path, codes));
  }
  return runInline(callee.path, params);
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
 * Registers each notebook the cell runs with `dbutils.notebook.run`,
 * translated here, so the runtime runs it in-process (no translation in the kernel).
 */
async function registerNotebookRuns(
  source: string,
  options: IRunOptions,
  chain: string[],
  prelude: Prelude
): Promise<void> {
  for (const target of notebookRunTargets(source)) {
    const key = `notebook\0${target}`;
    if (prelude.has(key)) {
      continue;
    }
    const callee = await loadCallee(
      'dbutils.notebook.run',
      target,
      options,
      chain
    );
    const codes = await calleeCodes(callee, options, chain, prelude);
    prelude.add(key, () => registerNotebook(target, codes));
  }
}

/** A cell's code; what it needs registered first goes into `prelude`. */
async function translateWithRuns(
  source: string,
  options: IRunOptions,
  chain: string[],
  prelude: Prelude
): Promise<string> {
  const magic = parseMagic(source);
  if (magic?.name !== 'run') {
    const translation = translateCell(source, options);
    if (!translation.magic || translation.magic === 'python') {
      await registerNotebookRuns(source, options, chain, prelude);
    }
    return translation.code;
  }
  return runCode(magic.args, options, chain, prelude);
}

/**
 * Translate a cell, resolving `%run` (recursively) through `options.load`.
 * Every notebook of its closure is registered in `prelude`, once each, so a
 * deep chain of `%run`s grows the code linearly.
 */
export async function translateCellAsync(
  source: string,
  options: IRunOptions
): Promise<ITranslation> {
  const prelude = new Prelude();
  const magic = parseMagic(source);
  const translation: ITranslation =
    magic?.name === 'run'
      ? { magic: 'run', code: '', needsSpark: true }
      : translateCell(source, options);
  translation.code = await translateWithRuns(
    source,
    options,
    [options.path],
    prelude
  );
  const text = prelude.text();
  return text ? { ...translation, prelude: text } : translation;
}
