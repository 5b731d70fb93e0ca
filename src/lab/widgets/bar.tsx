/**
 * The parameter bar: the notebook's Databricks widgets above its cells (text,
 * dropdown, combobox, multiselect). Values persist in the notebook's metadata
 * and reach the kernel's dbutils.widgets; a change can re-run the notebook.
 */
import { NotebookPanel } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { JSONObject } from '@lumino/coreutils';
import * as React from 'react';
import { pyStrDict, RUNTIME_NAME } from '../../core';

/** A widget as the kernel or the notebook metadata declares it. */
export interface IWidgetState {
  type: 'text' | 'dropdown' | 'combobox' | 'multiselect';
  label?: string;
  choices?: string[] | null;
  default?: string;
  defaultValue?: string;
  value?: string;
}

const VALUES_KEY = 'spark_k8s';

function savedValues(panel: NotebookPanel): Record<string, string> {
  const meta = (panel.model?.getMetadata(VALUES_KEY) ?? {}) as JSONObject;
  return { ...((meta.widgetValues ?? {}) as Record<string, string>) };
}

function declared(panel: NotebookPanel): Record<string, IWidgetState> {
  const meta = (panel.model?.getMetadata(VALUES_KEY) ?? {}) as JSONObject;
  return {
    ...((meta.widgets ?? {}) as unknown as Record<string, IWidgetState>)
  };
}

/** Keeps one notebook's widgets, values and kernel in step. */
export class ParameterBar extends ReactWidget {
  constructor(
    private _panel: NotebookPanel,
    private _trans: TranslationBundle,
    private _onChanged: () => void
  ) {
    super();
    this.addClass('jp-SparkK8s-parameterBar');
    this._widgets = declared(_panel);
    this._sync();
  }

  /** Ask the kernel which widgets the notebook declared; push saved values to it. */
  async refresh(): Promise<void> {
    const kernel = this._panel.sessionContext.session?.kernel;
    if (!kernel) {
      return;
    }
    const values = savedValues(this._panel);
    const push = Object.keys(values).length
      ? `if "${RUNTIME_NAME}" in globals():\n    ${RUNTIME_NAME}.dbutils.widgets.set_values(${pyStrDict(values)})`
      : '';
    const reply = await kernel.requestExecute({
      code: push,
      silent: true,
      store_history: false,
      user_expressions: {
        widgets: `${RUNTIME_NAME}.widgets_bundle() if "${RUNTIME_NAME}" in globals() else None`
      }
    }).done;
    const result = (reply.content as any).user_expressions?.widgets;
    const data = result?.data?.['application/json'];
    if (result?.status === 'ok' && data && typeof data === 'object') {
      this._widgets = {
        ...declared(this._panel),
        ...(data as Record<string, IWidgetState>)
      };
      this._sync();
    }
  }

  /** Set a value: metadata, kernel, then the re-run the settings ask for. */
  async setValue(name: string, value: string): Promise<void> {
    const meta = {
      ...((this._panel.model?.getMetadata(VALUES_KEY) ?? {}) as JSONObject)
    };
    meta.widgetValues = { ...savedValues(this._panel), [name]: value };
    this._panel.model?.setMetadata(VALUES_KEY, meta);
    await this.refresh();
    this._onChanged();
  }

  private _sync(): void {
    this.setHidden(Object.keys(this._widgets).length === 0);
    this.update();
  }

  protected render(): JSX.Element {
    const values = savedValues(this._panel);
    const trans = this._trans;
    return (
      <form
        className="jp-SparkK8s-parameters"
        aria-label={trans.__('Notebook parameters')}
        onSubmit={e => e.preventDefault()}
      >
        {Object.entries(this._widgets).map(([name, w]) => {
          const value =
            values[name] ?? w.value ?? w.default ?? w.defaultValue ?? '';
          const label = w.label || name;
          const commit = (v: string) => void this.setValue(name, v);
          const id = `jp-SparkK8s-widget-${name}`;
          let input: JSX.Element;
          if (w.type === 'dropdown') {
            input = (
              <select
                id={id}
                aria-label={label}
                value={value}
                onChange={e => commit(e.target.value)}
              >
                {(w.choices ?? []).map(c => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            );
          } else if (w.type === 'multiselect') {
            const selected = value ? value.split(',') : [];
            input = (
              <select
                id={id}
                aria-label={label}
                multiple
                value={selected}
                onChange={e =>
                  commit(
                    Array.from(e.target.selectedOptions, o => o.value).join(',')
                  )
                }
              >
                {(w.choices ?? []).map(c => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            );
          } else {
            input = (
              <>
                <input
                  id={id}
                  aria-label={label}
                  defaultValue={value}
                  key={value}
                  list={w.type === 'combobox' ? `${id}-choices` : undefined}
                  onBlur={e =>
                    e.target.value !== value && commit(e.target.value)
                  }
                  onKeyDown={e => {
                    if (e.key === 'Enter') {
                      (e.target as HTMLInputElement).blur();
                    }
                  }}
                />
                {w.type === 'combobox' && (
                  <datalist id={`${id}-choices`}>
                    {(w.choices ?? []).map(c => (
                      <option key={c} value={c} />
                    ))}
                  </datalist>
                )}
              </>
            );
          }
          return (
            <label key={name} htmlFor={id} className="jp-SparkK8s-parameter">
              <span>{label}</span>
              {input}
            </label>
          );
        })}
      </form>
    );
  }

  private _widgets: Record<string, IWidgetState>;
}
