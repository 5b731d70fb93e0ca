/**
 * The parameter bar: the notebook's Databricks widgets above its cells (text,
 * dropdown, combobox, multiselect). Values persist in the notebook's metadata
 * and reach the kernel's dbutils.widgets; a change can re-run the notebook.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Message, MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import * as React from 'react';
import { ParameterModel } from './model';

/** The bar above a notebook; hidden while the notebook declares no widget. */
export class ParameterBar extends ReactWidget {
  constructor(
    readonly model: ParameterModel,
    private _trans: TranslationBundle,
    private _onChanged: () => void
  ) {
    super();
    this.addClass('jp-SparkK8s-parameterBar');
    model.changed.connect(this._sync, this);
    this._sync();
  }

  /** Set a value from the bar, then let the owner re-run what the settings ask for. */
  async commit(name: string, value: string): Promise<void> {
    await this.model.setValue(name, value);
    this._onChanged();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._observer?.disconnect();
    this.model.dispose();
    super.dispose();
  }

  /**
   * The notebook's header lays its widgets out by their minimum height (a box
   * layout), so the bar keeps its minimum height equal to what its inputs
   * need, as they wrap, and asks the header to fit again.
   */
  protected onUpdateRequest(msg: Message): void {
    super.onUpdateRequest(msg);
    void this.renderPromise?.then(() => this._observe());
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._fit();
  }

  private _observe(): void {
    const form = this.node.firstElementChild;
    if (!form || form === this._observed || this.isDisposed) {
      this._fit();
      return;
    }
    this._observer?.disconnect();
    this._observed = form;
    if (typeof ResizeObserver !== 'undefined') {
      this._observer = new ResizeObserver(() => this._fit());
      this._observer.observe(form);
    }
    this._fit();
  }

  private _fit(): void {
    const form = this._observed as HTMLElement | null;
    if (!form || this.isDisposed || this.isHidden) {
      return;
    }
    const style = window.getComputedStyle(this.node);
    const px = (v: string) => parseFloat(v) || 0;
    const height = Math.ceil(
      form.getBoundingClientRect().height +
        px(style.paddingTop) +
        px(style.paddingBottom) +
        px(style.borderTopWidth) +
        px(style.borderBottomWidth)
    );
    if (height > 0 && height !== this._height) {
      this._height = height;
      this.node.style.minHeight = `${height}px`;
      if (this.parent) {
        MessageLoop.postMessage(this.parent, Widget.Msg.FitRequest);
      }
    }
  }

  private _sync(): void {
    const hidden = Object.keys(this.model.widgets).length === 0;
    if (hidden !== this.isHidden) {
      this.setHidden(hidden);
      if (this.parent) {
        MessageLoop.postMessage(this.parent, Widget.Msg.FitRequest);
      }
    }
    this.update();
  }

  private _observer: ResizeObserver | null = null;
  private _observed: Element | null = null;
  private _height = 0;

  protected render(): JSX.Element {
    const trans = this._trans;
    return (
      <form
        className="jp-SparkK8s-parameters"
        aria-label={trans.__('Notebook parameters')}
        onSubmit={e => e.preventDefault()}
      >
        {Object.entries(this.model.widgets).map(([name, w]) => {
          const value = this.model.valueOf(name);
          const label = w.label || name;
          const commit = (v: string) => void this.commit(name, v);
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
}
