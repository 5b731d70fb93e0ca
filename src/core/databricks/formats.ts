/**
 * Databricks exports other than SOURCE: .dbc archives (NotebookV1 JSON in a
 * zip), HTML exports (the embedded notebook model) and Databricks' .ipynb.
 */
import {
  CellLanguage,
  commandCell,
  INbCell,
  INotebook,
  IWidgetSpec,
  notebookOf
} from './model';
import { importSource } from './source';
import { readZip } from './zip';

/** A NotebookV1 document as found in .dbc and HTML exports. */
interface INotebookV1 {
  version?: string;
  name?: string;
  language?: string;
  commands?: Array<{
    command?: string;
    position?: number;
    commandTitle?: string;
    showCommandTitle?: boolean;
  }>;
}

const LANGUAGES: Record<string, CellLanguage> = {
  python: 'python',
  sql: 'sql',
  scala: 'scala',
  r: 'r'
};

/** A NotebookV1 model as a Jupyter notebook, commands in `position` order. */
export function importNotebookV1(model: INotebookV1): INotebook {
  if (!Array.isArray(model.commands)) {
    throw new Error(
      'The Databricks notebook has no "commands": it is not a NotebookV1 model.'
    );
  }
  const language =
    LANGUAGES[(model.language ?? 'python').toLowerCase()] ?? 'python';
  const commands = [...model.commands].sort(
    (a, b) => (a.position ?? 0) - (b.position ?? 0)
  );
  const cells: INbCell[] = [];
  for (const command of commands) {
    const text = (command.command ?? '').replace(/\s+$/, '');
    if (!text.trim() && !command.commandTitle) {
      continue;
    }
    cells.push(
      commandCell(
        text,
        cells.length,
        language,
        command.commandTitle || undefined,
        command.showCommandTitle
      )
    );
  }
  return notebookOf(cells, language, model.name);
}

/**
 * A .dbc entry's path inside the archive's folder, or a clear error when it
 * would leave it (`..`, an absolute path, a drive): a "zip slip".
 */
export function archiveEntryPath(entry: string): string {
  const parts = entry.split(/[\\/]+/);
  const escapes =
    /^[\\/]/.test(entry) ||
    /^[A-Za-z]:/.test(entry) ||
    entry.includes('\0') ||
    parts.some(part => part === '..');
  if (escapes) {
    throw new Error(
      `The .dbc archive has an entry named "${entry}" that points outside the archive's folder; the archive was not imported (nothing was written). Export it again from Databricks.`
    );
  }
  return parts.filter(part => part && part !== '.').join('/');
}

/** The notebooks of a .dbc archive, by path with `.ipynb` (folders kept). */
export async function importDbc(
  bytes: Uint8Array
): Promise<Map<string, INotebook>> {
  const files = await readZip(bytes);
  const out = new Map<string, INotebook>();
  const decoder = new TextDecoder();
  for (const [entry, data] of files) {
    // Refuse the whole archive when one entry would leave its folder: nothing is written.
    const path = archiveEntryPath(entry);
    const m = /^(.*)\.(python|sql|scala|r)$/i.exec(path);
    if (!m) {
      continue;
    }
    let model: INotebookV1;
    try {
      model = JSON.parse(decoder.decode(data));
    } catch {
      throw new Error(
        `${path} in the .dbc archive is not a notebook (its JSON does not parse).`
      );
    }
    out.set(`${m[1]}.ipynb`, importNotebookV1(model));
  }
  if (!out.size) {
    throw new Error('The .dbc archive holds no notebooks.');
  }
  return out;
}

/** The notebook embedded in a Databricks HTML export. */
export function importHtml(html: string): INotebook {
  const m = /__DATABRICKS_NOTEBOOK_MODEL\s*=\s*['"]([A-Za-z0-9+/=]+)['"]/.exec(
    html
  );
  if (!m) {
    throw new Error(
      'This HTML file is not a Databricks notebook export: it has no embedded notebook model.'
    );
  }
  let model: INotebookV1;
  try {
    const binary = atob(m[1]);
    model = JSON.parse(decodeURIComponent(binary));
  } catch {
    throw new Error(
      'The notebook model embedded in this HTML export cannot be decoded.'
    );
  }
  return importNotebookV1(model);
}

const CELL_KEY = 'application/vnd.databricks.v1+cell';
const NB_KEY = 'application/vnd.databricks.v1+notebook';

interface IDatabricksWidget {
  currentValue?: string;
  widgetInfo?: {
    widgetType?: string;
    defaultValue?: string;
    label?: string | null;
    name?: string;
    options?: { choices?: string[] };
  };
}

/**
 * Whether a parsed .ipynb is a Databricks export: Databricks writes its notebook
 * metadata (or its cell metadata) into every notebook it exports.
 */
export function isDatabricksIpynb(nb: any): boolean {
  return (
    !!nb?.metadata?.[NB_KEY] ||
    (Array.isArray(nb?.cells) &&
      nb.cells.some((c: any) => !!c?.metadata?.[CELL_KEY]))
  );
}

/** A notebook exported by Databricks as .ipynb, with its titles and widgets kept. */
export function importDatabricksIpynb(nb: any): INotebook {
  if (!nb || nb.nbformat !== 4 || !Array.isArray(nb.cells)) {
    throw new Error('This .ipynb file is not an nbformat 4 notebook.');
  }
  if (!isDatabricksIpynb(nb)) {
    // Importing would rewrite it and drop its outputs, tags, attachments and kernel.
    throw new Error(
      'This .ipynb is an ordinary Jupyter notebook, not a Databricks export (it has no Databricks metadata): open it as it is, there is nothing to import.'
    );
  }
  const meta = nb.metadata?.[NB_KEY] ?? {};
  const language =
    LANGUAGES[(meta.language ?? 'python').toLowerCase()] ?? 'python';
  const cells: INbCell[] = [];
  for (const cell of nb.cells) {
    const source = Array.isArray(cell.source)
      ? cell.source.join('')
      : String(cell.source ?? '');
    const info = cell.metadata?.[CELL_KEY] ?? {};
    const text =
      cell.cell_type === 'markdown' && !/^\s*%md/.test(source)
        ? `%md\n${source}`
        : source;
    cells.push(
      commandCell(
        text,
        cells.length,
        language,
        info.title || undefined,
        info.showTitle
      )
    );
  }
  const widgets: Record<string, IWidgetSpec> = {};
  for (const [name, w] of Object.entries(
    (meta.widgets ?? {}) as Record<string, IDatabricksWidget>
  )) {
    const info = w.widgetInfo ?? {};
    const type = (info.widgetType ?? 'text') as IWidgetSpec['type'];
    widgets[info.name ?? name] = {
      type: ['text', 'dropdown', 'combobox', 'multiselect'].includes(type)
        ? type
        : 'text',
      defaultValue: info.defaultValue ?? '',
      ...(info.label ? { label: info.label } : {}),
      ...(info.options?.choices ? { choices: info.options.choices } : {})
    };
  }
  return notebookOf(cells, language, meta.notebookName, widgets);
}

/** Import any single-file Databricks export by its name and bytes. */
export async function importExport(
  fileName: string,
  bytes: Uint8Array
): Promise<Map<string, INotebook>> {
  const dot = fileName.lastIndexOf('.');
  const ext = dot >= 0 ? fileName.slice(dot + 1).toLowerCase() : '';
  const stem =
    (dot >= 0 ? fileName.slice(0, dot) : fileName).split('/').pop() ?? fileName;
  if (ext === 'dbc') {
    return importDbc(bytes);
  }
  const text = new TextDecoder().decode(bytes);
  const single = (nb: INotebook) => new Map([[`${stem}.ipynb`, nb]]);
  if (ext === 'html' || ext === 'htm') {
    return single(importHtml(text));
  }
  if (ext === 'ipynb') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new Error(
        `${fileName} is not a notebook: its JSON does not parse (${(e as Error).message}).`
      );
    }
    return single(importDatabricksIpynb(parsed));
  }
  return single(importSource(text, ext, stem));
}
