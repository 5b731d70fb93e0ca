/**
 * The parameters of one notebook: the Databricks widgets it declares
 * (`dbutils.widgets`), their values kept in the notebook's metadata and pushed
 * to the kernel. The bar renders this model; tests drive it with fakes.
 */
import { KernelMessage } from '@jupyterlab/services';
import { JSONObject } from '@lumino/coreutils';
import { ISignal, Signal } from '@lumino/signaling';
import {
  runtimeBootstrap,
  setWidgetValues,
  widgetsExpression
} from '../../core';

/** A widget as the kernel or the notebook metadata declares it. */
export interface IWidgetState {
  type: 'text' | 'dropdown' | 'combobox' | 'multiselect';
  label?: string;
  choices?: string[] | null;
  default?: string;
  defaultValue?: string;
  value?: string;
}

/** The notebook metadata key the extension keeps its state under. */
export const METADATA_KEY = 'spark_k8s';

/** What the model needs of a notebook model. */
export interface IMetadataHolder {
  getMetadata(key: string): unknown;
  setMetadata(key: string, value: unknown): void;
}

/** What the model needs of a kernel. */
export interface IExecutingKernel {
  /** The kernel's id: saved values are pushed into each kernel once. */
  readonly id?: string;
  requestExecute(content: KernelMessage.IExecuteRequestMsg['content']): {
    done: Promise<KernelMessage.IExecuteReplyMsg>;
  };
}

/** Keeps one notebook's widgets, values and kernel in step. */
export class ParameterModel {
  constructor(
    private _notebook: () => IMetadataHolder | null,
    private _kernel: () => IExecutingKernel | null
  ) {
    this._widgets = this._declared();
  }

  /** Declared widgets: from the kernel once it answered, else from the metadata. */
  get widgets(): Readonly<Record<string, IWidgetState>> {
    return this._widgets;
  }

  /** Values the user set, as saved in the notebook. */
  get values(): Record<string, string> {
    return { ...((this._meta().widgetValues ?? {}) as Record<string, string>) };
  }

  /** The value a widget shows: the saved one, else the kernel's, else its default. */
  valueOf(name: string): string {
    const w = this._widgets[name];
    return this.values[name] ?? w?.value ?? w?.default ?? w?.defaultValue ?? '';
  }

  /** Emitted when widgets or values change. */
  get changed(): ISignal<ParameterModel, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Push saved values to the kernel and ask which widgets the notebook declared.
   *
   * The first push into a kernel loads the runtime too, so a reopened
   * notebook's first run reads its saved values, not the widgets' defaults.
   */
  async refresh(): Promise<void> {
    const kernel = this._kernel();
    if (!kernel || this._isDisposed) {
      return;
    }
    const values = this.values;
    let code = '';
    if (Object.keys(values).length) {
      const first = this._pushedTo === null || this._pushedTo !== kernel.id;
      code = (first ? runtimeBootstrap() : '') + setWidgetValues(values);
      this._pushedTo = kernel.id ?? '';
    }
    const reply = await kernel.requestExecute({
      code,
      silent: true,
      store_history: false,
      user_expressions: { widgets: widgetsExpression() }
    }).done;
    const content = reply.content as {
      user_expressions?: Record<string, JSONObject>;
    };
    const result = content.user_expressions?.widgets as
      { status?: string; data?: Record<string, unknown> } | undefined;
    const data = result?.data?.['application/json'];
    if (result?.status === 'ok' && data && typeof data === 'object') {
      this._widgets = {
        ...this._declared(),
        ...(data as Record<string, IWidgetState>)
      };
      this._emit();
    } else {
      // No runtime yet: the widgets the notebook's metadata declares (it may
      // have loaded after this model was made).
      const known = { ...this._declared(), ...this._widgets };
      if (Object.keys(known).length !== Object.keys(this._widgets).length) {
        this._widgets = known;
        this._emit();
      }
    }
  }

  /** Set a value: saved in the notebook's metadata, then pushed to the kernel. */
  async setValue(name: string, value: string): Promise<void> {
    const notebook = this._notebook();
    const meta = { ...this._meta() };
    meta.widgetValues = { ...this.values, [name]: value };
    notebook?.setMetadata(METADATA_KEY, meta);
    this._emit();
    await this.refresh();
  }

  /** The kernel restarted (same id, empty namespace): push again on the next refresh. */
  kernelRestarted(): void {
    this._pushedTo = null;
  }

  /** True when saved values have not reached the current kernel yet. */
  get needsPush(): boolean {
    return this._pushedTo === null && Object.keys(this.values).length > 0;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private _meta(): JSONObject {
    return (this._notebook()?.getMetadata(METADATA_KEY) ?? {}) as JSONObject;
  }

  private _declared(): Record<string, IWidgetState> {
    return {
      ...((this._meta().widgets ?? {}) as unknown as Record<
        string,
        IWidgetState
      >)
    };
  }

  private _emit(): void {
    if (!this._isDisposed) {
      this._changed.emit();
    }
  }

  private _widgets: Record<string, IWidgetState>;
  /** The kernel saved values (and the runtime) were pushed into. */
  private _pushedTo: string | null = null;
  private _isDisposed = false;
  private _changed = new Signal<ParameterModel, void>(this);
}
