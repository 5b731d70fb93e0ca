/**
 * Databricks SOURCE exports (.py, .sql, .scala, .r) to notebooks and back.
 */
import { CellLanguage, commandCell, INotebook, notebookOf } from './model';

const COMMENT: Record<string, string> = {
  python: '#',
  r: '#',
  sql: '--',
  scala: '//'
};
const EXTENSION_LANGUAGE: Record<string, CellLanguage> = {
  py: 'python',
  sql: 'sql',
  scala: 'scala',
  r: 'r'
};

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** The language of a SOURCE file from its first line, or null if it is not one. */
export function sourceLanguage(
  text: string,
  extension?: string
): CellLanguage | null {
  const first = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/, 1)[0]
    .trim();
  const m = /^(#|--|\/\/)\s*Databricks notebook source\s*$/.exec(first);
  if (!m) {
    return null;
  }
  const fromExt = extension
    ? EXTENSION_LANGUAGE[extension.toLowerCase().replace(/^\./, '')]
    : undefined;
  if (fromExt) {
    return fromExt;
  }
  return m[1] === '--' ? 'sql' : m[1] === '//' ? 'scala' : 'python';
}

/** Parse a Databricks SOURCE export; throws with a clear message if it is not one. */
export function importSource(
  text: string,
  extension?: string,
  name?: string
): INotebook {
  const language = sourceLanguage(text, extension);
  if (!language) {
    throw new Error(
      'This is not a Databricks SOURCE export: its first line should be "# Databricks notebook source" (or "--"/"//" for SQL/Scala).'
    );
  }
  const c = escapeRe(COMMENT[language] ?? '#');
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .slice(1);
  const separator = new RegExp(`^\\s*${c}\\s*COMMAND\\s*-{3,}\\s*$`);
  const chunks: string[][] = [[]];
  for (const line of lines) {
    if (separator.test(line)) {
      chunks.push([]);
    } else {
      chunks[chunks.length - 1].push(line);
    }
  }
  const magic = new RegExp(`^${c} MAGIC(?: (.*)|)$`);
  const title = new RegExp(`^${c} DBTITLE ([01]),(.*)$`);
  const cells = [];
  for (const chunk of chunks) {
    while (chunk.length && !chunk[0].trim()) {
      chunk.shift();
    }
    while (chunk.length && !chunk[chunk.length - 1].trim()) {
      chunk.pop();
    }
    if (!chunk.length) {
      continue;
    }
    let cellTitle: string | undefined;
    let showTitle: boolean | undefined;
    const t = title.exec(chunk[0]);
    if (t) {
      showTitle = t[1] === '1';
      cellTitle = t[2];
      chunk.shift();
    }
    const isMagic = chunk.length > 0 && chunk.every(line => magic.test(line));
    const body = isMagic
      ? chunk.map(line => magic.exec(line)![1] ?? '').join('\n')
      : chunk.join('\n');
    cells.push(commandCell(body, cells.length, language, cellTitle, showTitle));
  }
  return notebookOf(cells, language, name);
}

/** Write a notebook as a Databricks SOURCE .py file. */
export function exportSource(nb: INotebook): string {
  const parts = nb.cells
    .filter(cell => cell.cell_type !== 'raw')
    .map(cell => {
      const meta = cell.metadata.spark_k8s;
      const head =
        meta?.title !== undefined
          ? [`# DBTITLE ${meta.showTitle === false ? 0 : 1},${meta.title}`]
          : [];
      let text = cell.source;
      let asMagic = /^\s*%/.test(text);
      if (cell.cell_type === 'markdown') {
        text = `%md\n${text}`;
        asMagic = true;
      }
      const body = asMagic
        ? text.split('\n').map(line => (line ? `# MAGIC ${line}` : '# MAGIC'))
        : text.split('\n');
      return [...head, ...body].join('\n');
    });
  return (
    '# Databricks notebook source\n' +
    parts.join('\n\n# COMMAND ----------\n\n') +
    '\n'
  );
}
