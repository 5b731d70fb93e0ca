/**
 * `spark-k8s import IN [-o OUT] [--plain]`: Databricks exports (SOURCE files,
 * .dbc archives, HTML and Databricks .ipynb; files or whole folders) to .ipynb.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs';
import {
  basename,
  dirname,
  extname,
  isAbsolute,
  join,
  relative,
  resolve
} from 'node:path';
import {
  freePath,
  importExport,
  isDatabricksIpynb,
  INotebook,
  LOCAL_PROFILE,
  runtimeBootstrap,
  scriptStart,
  sessionConf,
  sourceLanguage,
  translateCell
} from '../core';
import { CliError } from './errors';

const EXPORT_EXTENSIONS = new Set([
  '.py',
  '.sql',
  '.scala',
  '.r',
  '.dbc',
  '.html',
  '.htm',
  '.ipynb'
]);

/** Options of the import command. */
export interface IImportArgs {
  input: string;
  output?: string;
  plain: boolean;
}

/** Turn magics into code and add the runtime, so the notebook needs no extension. */
export function plainNotebook(nb: INotebook, name: string): INotebook {
  const conf = sessionConf(LOCAL_PROFILE, { appName: name });
  const setup = {
    id: 'spark-k8s-setup',
    cell_type: 'code' as const,
    metadata: { spark_k8s: { language: 'python' as const } },
    source: runtimeBootstrap() + scriptStart(conf),
    outputs: [],
    execution_count: null
  };
  const cells = nb.cells.map(cell =>
    cell.cell_type === 'code'
      ? { ...cell, source: translateCell(cell.source).code }
      : cell
  );
  return { ...nb, cells: [setup, ...cells] };
}

function isExport(path: string): boolean {
  const ext = extname(path).toLowerCase();
  if (!EXPORT_EXTENSIONS.has(ext)) {
    return false;
  }
  if (['.py', '.sql', '.scala', '.r'].includes(ext)) {
    // Only SOURCE exports: ordinary scripts in the folder are left alone.
    const head = readFileSync(path, 'utf8').slice(0, 200);
    return sourceLanguage(head) !== null;
  }
  if (ext === '.ipynb') {
    // Only Databricks exports: ordinary notebooks in the folder are left alone.
    try {
      return isDatabricksIpynb(JSON.parse(readFileSync(path, 'utf8')));
    } catch {
      return false;
    }
  }
  return true;
}

/** Whether `target` lies inside `folder` (an archive's entries must). */
function inside(folder: string, target: string): boolean {
  const rel = relative(resolve(folder), resolve(target));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : isExport(path) ? [path] : [];
  });
}

async function convert(
  file: string,
  plain: boolean
): Promise<Map<string, INotebook>> {
  let notebooks: Map<string, INotebook>;
  try {
    notebooks = await importExport(
      basename(file),
      new Uint8Array(readFileSync(file))
    );
  } catch (e) {
    throw new CliError(`${file}: ${(e as Error).message}`);
  }
  if (!plain) {
    return notebooks;
  }
  return new Map(
    [...notebooks].map(([path, nb]) => [
      path,
      plainNotebook(nb, basename(path, '.ipynb'))
    ])
  );
}

/** Run the command; returns the paths written. */
export async function runImport(args: IImportArgs): Promise<string[]> {
  let stat;
  try {
    stat = statSync(args.input);
  } catch {
    throw new CliError(`Cannot read ${args.input}: no such file or folder.`);
  }
  const files = stat.isDirectory() ? walk(args.input) : [args.input];
  if (!files.length) {
    throw new CliError(
      `${args.input} holds no Databricks exports (.py/.sql/.scala/.r SOURCE, .dbc, .html, .ipynb).`
    );
  }
  // Convert everything first: a bad file must not leave half an output tree.
  const outputs: Array<[string, INotebook]> = [];
  const chosen = new Set<string>();
  const root = stat.isDirectory()
    ? (args.output ?? `${args.input.replace(/\/+$/, '')}-ipynb`)
    : null;
  for (const file of files) {
    const isDbc = extname(file).toLowerCase() === '.dbc';
    const notebooks = await convert(file, args.plain);
    // Where this file's notebooks go: beside it, in OUT, or mirrored under the output folder.
    const base = root
      ? join(root, relative(args.input, dirname(file)))
      : dirname(file);
    for (const [path, nb] of notebooks) {
      let target: string;
      if (isDbc) {
        const dir =
          root || !args.output
            ? join(base, basename(file, extname(file)))
            : args.output;
        target = join(dir, path);
        if (!inside(dir, target)) {
          // importDbc refuses such entries already; never write outside, whatever the cause.
          throw new CliError(
            `${file}: the entry ${path} points outside ${dir}; nothing was written.`
          );
        }
      } else {
        target = root || !args.output ? join(base, path) : args.output;
      }
      // Never overwrite: an existing file (or one this run writes) gets "name (1).ipynb".
      target = await freePath(
        target,
        candidate => existsSync(candidate) || chosen.has(resolve(candidate))
      );
      chosen.add(resolve(target));
      outputs.push([target, nb]);
    }
  }
  // All or nothing: a failed write removes what this run wrote.
  const written: string[] = [];
  const madeDirs: string[] = [];
  try {
    for (const [target, nb] of outputs) {
      const dir = dirname(target);
      if (!existsSync(dir)) {
        madeDirs.push(mkdirSync(dir, { recursive: true }) ?? dir);
      }
      writeFileSync(target, JSON.stringify(nb, null, 1) + '\n', {
        flag: 'wx'
      });
      written.push(target);
    }
  } catch (e) {
    for (const target of written) {
      rmSync(target, { force: true });
    }
    for (const dir of madeDirs.reverse()) {
      rmSync(dir, { recursive: true, force: true });
    }
    throw new CliError(
      `Could not write the imported notebooks (${(e as Error).message}); nothing was written.`
    );
  }
  return outputs.map(([target]) => target);
}
