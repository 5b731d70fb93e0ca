/**
 * The parameters a published notebook starts with: its widgets and their
 * values, found without a kernel (the CLI) the same way the dialog starts.
 */
import type { INotebook } from '../databricks/model';

const STRING = String.raw`(?:"([^"\\\n]*)"|'([^'\\\n]*)')`;
const DECLARE = new RegExp(
  String.raw`dbutils\.widgets\.(?:text|dropdown|combobox|multiselect)\(\s*(?:name\s*=\s*)?${STRING}\s*,\s*(?:defaultValue\s*=\s*)?${STRING}`,
  'g'
);

/**
 * The notebook's widgets with their values: declared in its metadata
 * (imported from Databricks) or by a literal `dbutils.widgets.text(name,
 * default)` in its closure (first declaration wins, as in the runtime), then
 * the values kept in `metadata.spark_k8s.widgetValues` (the parameter bar's).
 */
export function notebookParameters(
  nb: Partial<Pick<INotebook, 'metadata'>>,
  sources: readonly string[]
): { [name: string]: string } {
  const params: { [name: string]: string } = {};
  const meta = (nb.metadata?.spark_k8s ?? {}) as {
    widgets?: Record<string, { defaultValue?: unknown }>;
    widgetValues?: Record<string, unknown>;
  };
  for (const [name, spec] of Object.entries(meta.widgets ?? {})) {
    params[name] = String(spec?.defaultValue ?? '');
  }
  for (const text of sources) {
    for (const m of text.matchAll(DECLARE)) {
      const name = m[1] ?? m[2];
      if (!(name in params)) {
        params[name] = m[3] ?? m[4];
      }
    }
  }
  for (const [name, value] of Object.entries(meta.widgetValues ?? {})) {
    params[name] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return params;
}
