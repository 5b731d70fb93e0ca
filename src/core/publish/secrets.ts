/**
 * The secrets a notebook reads, found in its source, so a job gets a
 * `secretKeyRef` for each (and nothing more).
 */
import type { ResolvedScopes } from '../kernel';
import { notebookJobScript } from '../script/job';
import { secretEnvName } from '../session/secrets';
import type { FileLoader } from '../translate/run';
import type { IPublishSource } from './types';

/** A Databricks secret the notebook reads: scope and key, never a value. */
export interface ISecretUse {
  scope: string;
  key: string;
}

const STRING = String.raw`(?:"([^"\\\n]*)"|'([^'\\\n]*)')`;
const GET = new RegExp(
  String.raw`dbutils\.secrets\.get(?:Bytes)?\(\s*(?:scope\s*=\s*)?${STRING}\s*,\s*(?:key\s*=\s*)?${STRING}`,
  'g'
);
const TEMPLATE = /\{\{\s*secrets\/([^/\s}]+)\/([^/\s}]+)\s*\}\}/g;

/** Every literal `dbutils.secrets.get(scope, key)` and `{{secrets/scope/key}}` in the sources, once, sorted. */
export function secretUses(sources: readonly string[]): ISecretUse[] {
  const found = new Map<string, ISecretUse>();
  const add = (scope: string, key: string) => {
    found.set(`${scope}\0${key}`, { scope, key });
  };
  for (const text of sources) {
    for (const m of text.matchAll(GET)) {
      add(m[1] ?? m[2], m[3] ?? m[4]);
    }
    for (const m of text.matchAll(TEMPLATE)) {
      add(m[1], m[2]);
    }
  }
  return [...found.values()].sort((a, b) =>
    a.scope === b.scope ? (a.key < b.key ? -1 : 1) : a.scope < b.scope ? -1 : 1
  );
}

/**
 * The uses resolved to Kubernetes Secrets: a scope maps through `mapping`,
 * else to the Secret of the same name (as in a kernel).
 */
export function scopesForUses(
  uses: readonly ISecretUse[],
  mapping: Readonly<Record<string, string>> = {}
): ResolvedScopes {
  const scopes: ResolvedScopes = {};
  for (const { scope, key } of uses) {
    const entry = (scopes[scope] ??= {
      secret: mapping[scope] ?? scope,
      env: {}
    });
    entry.env[key] = secretEnvName(scope, key);
  }
  return scopes;
}

/** Texts of the cells in a loaded file: a notebook's cell sources, else the file itself. */
function fileSources(text: string): string[] {
  try {
    const nb = JSON.parse(text) as { cells?: Array<{ source?: unknown }> };
    if (Array.isArray(nb?.cells)) {
      return nb.cells.map(c =>
        Array.isArray(c.source) ? c.source.join('') : String(c.source ?? '')
      );
    }
  } catch {
    // Not JSON: a Databricks SOURCE export, read as text.
  }
  return [text];
}

/**
 * The source of the notebook and of every notebook its `%run` and
 * `dbutils.notebook.run` closure loads (each as written, before translation).
 */
export async function closureSources(
  source: IPublishSource
): Promise<string[]> {
  const texts = source.notebook.cells.map(c => c.source);
  const recording: FileLoader = async path => {
    const text = await source.load(path);
    if (text !== null) {
      texts.push(...fileSources(text));
    }
    return text;
  };
  try {
    await notebookJobScript(source.notebook, {
      path: source.path,
      load: recording,
      secretScopes: {}
    });
  } catch {
    // A broken closure is reported by buildPublication, at the notebook.
  }
  return texts;
}
