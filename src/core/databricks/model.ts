/**
 * The Jupyter notebook model Databricks imports produce, and the cell metadata
 * that keeps what Databricks knew (titles, per-cell language, widgets).
 */

/** Languages a Databricks cell can be in. */
export type CellLanguage =
  'python' | 'sql' | 'scala' | 'r' | 'markdown' | 'other';

/** What this extension keeps of a Databricks cell (`metadata.spark_k8s`). */
export interface IDatabricksCellMeta {
  title?: string;
  /** Databricks' DBTITLE 1 (shown) or 0 (hidden). */
  showTitle?: boolean;
  language: CellLanguage;
}

/** A Databricks widget as declared in an export. */
export interface IWidgetSpec {
  type: 'text' | 'dropdown' | 'combobox' | 'multiselect';
  defaultValue: string;
  label?: string;
  choices?: string[];
}

/** An nbformat 4 cell. */
export interface INbCell {
  id: string;
  cell_type: 'code' | 'markdown' | 'raw';
  metadata: { spark_k8s?: IDatabricksCellMeta; [key: string]: unknown };
  source: string;
  outputs?: unknown[];
  execution_count?: null;
}

/** An nbformat 4 notebook. */
export interface INotebook {
  nbformat: 4;
  nbformat_minor: 5;
  metadata: {
    kernelspec: { name: string; display_name: string; language: string };
    language_info: { name: string };
    spark_k8s?: {
      databricks?: { language: CellLanguage; name?: string };
      widgets?: Record<string, IWidgetSpec>;
    };
    [key: string]: unknown;
  };
  cells: INbCell[];
}

const MAGIC_LANGUAGE: Record<string, CellLanguage> = {
  python: 'python',
  sql: 'sql',
  scala: 'scala',
  r: 'r',
  md: 'markdown',
  'md-sandbox': 'markdown'
};

/** The language of a cell from its leading magic, else the notebook's. */
export function cellLanguage(
  source: string,
  notebookLanguage: CellLanguage
): CellLanguage {
  const m = /^\s*%{1,2}([A-Za-z][\w-]*)/.exec(source);
  if (!m) {
    return notebookLanguage;
  }
  return MAGIC_LANGUAGE[m[1].toLowerCase()] ?? 'other';
}

/** A Databricks command's text as a Jupyter cell (markdown for %md, else code). */
export function commandCell(
  text: string,
  index: number,
  notebookLanguage: CellLanguage,
  title?: string,
  showTitle?: boolean
): INbCell {
  const language = cellLanguage(text, notebookLanguage);
  const meta: IDatabricksCellMeta = { language };
  if (title !== undefined && title !== '') {
    meta.title = title;
    meta.showTitle = showTitle ?? true;
  }
  const id = `cell-${index + 1}`;
  if (language === 'markdown') {
    const body = text
      .replace(/^\s*%{1,2}md(-sandbox)?[ \t]?/, '')
      .replace(/^\n/, '');
    return {
      id,
      cell_type: 'markdown',
      metadata: { spark_k8s: meta },
      source: body
    };
  }
  let source = text;
  if (!/^\s*%/.test(text) && notebookLanguage !== 'python' && text.trim()) {
    // A plain cell of a SQL/Scala/R notebook: make its language explicit.
    source = `%${notebookLanguage}\n${text}`;
    meta.language = notebookLanguage;
  }
  return {
    id,
    cell_type: 'code',
    metadata: { spark_k8s: meta },
    source,
    outputs: [],
    execution_count: null
  };
}

/** A new notebook holding `cells`. */
export function notebookOf(
  cells: INbCell[],
  language: CellLanguage,
  name?: string,
  widgets?: Record<string, IWidgetSpec>
): INotebook {
  const spark: NonNullable<INotebook['metadata']['spark_k8s']> = {
    databricks: name ? { language, name } : { language }
  };
  if (widgets && Object.keys(widgets).length) {
    spark.widgets = widgets;
  }
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: {
        name: 'python3',
        display_name: 'Python 3 (ipykernel)',
        language: 'python'
      },
      language_info: { name: 'python' },
      spark_k8s: spark
    },
    cells
  };
}
