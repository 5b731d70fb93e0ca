/** The parameter model against a faked notebook and kernel. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  runtimeBootstrap,
  setWidgetValues,
  widgetsExpression
} from '../../core';
import { IExecutingKernel, IMetadataHolder, ParameterModel } from './model';

class FakeNotebook implements IMetadataHolder {
  meta: Record<string, unknown> = {};
  getMetadata(key: string): unknown {
    return this.meta[key];
  }
  setMetadata(key: string, value: unknown): void {
    this.meta[key] = value;
  }
}

class FakeKernel implements IExecutingKernel {
  id = 'k1';
  requests: any[] = [];
  declared: Record<string, unknown> | null = {
    env: { type: 'dropdown', choices: ['dev', 'prod'], default: 'dev' }
  };
  requestExecute(content: any) {
    this.requests.push(content);
    const widgets = this.declared
      ? { status: 'ok', data: { 'application/json': this.declared } }
      : { status: 'error' };
    return {
      done: Promise.resolve({
        content: { status: 'ok', user_expressions: { widgets } }
      } as any)
    };
  }
}

describe('ParameterModel', () => {
  it('shows widgets saved in the notebook before the kernel answers', () => {
    const nb = new FakeNotebook();
    nb.meta.spark_k8s = {
      widgets: { day: { type: 'text', defaultValue: 'mon' } }
    };
    const model = new ParameterModel(
      () => nb,
      () => null
    );
    assert.deepEqual(Object.keys(model.widgets), ['day']);
    assert.equal(model.valueOf('day'), 'mon');
  });

  it('asks the kernel through the contract and merges what it declares', async () => {
    const nb = new FakeNotebook();
    const kernel = new FakeKernel();
    const model = new ParameterModel(
      () => nb,
      () => kernel
    );
    let changes = 0;
    model.changed.connect(() => changes++);
    await model.refresh();
    assert.equal(kernel.requests.length, 1);
    assert.equal(kernel.requests[0].code, '');
    assert.deepEqual(kernel.requests[0].user_expressions, {
      widgets: widgetsExpression()
    });
    assert.equal(kernel.requests[0].silent, true);
    assert.deepEqual(Object.keys(model.widgets), ['env']);
    assert.equal(model.valueOf('env'), 'dev');
    assert.equal(changes, 1);
  });

  it('saves a value in the notebook metadata and pushes it to the kernel', async () => {
    const nb = new FakeNotebook();
    nb.meta.spark_k8s = { other: 1 };
    const kernel = new FakeKernel();
    const model = new ParameterModel(
      () => nb,
      () => kernel
    );
    await model.setValue('env', "prod'; DROP");
    assert.deepEqual(nb.meta.spark_k8s, {
      other: 1,
      widgetValues: { env: "prod'; DROP" }
    });
    // The first push into a kernel loads the runtime that keeps the values.
    assert.equal(
      kernel.requests[0].code,
      runtimeBootstrap() + setWidgetValues({ env: "prod'; DROP" })
    );
    assert.equal(model.valueOf('env'), "prod'; DROP");
    await model.setValue('env', 'dev');
    assert.equal(kernel.requests[1].code, setWidgetValues({ env: 'dev' }));
  });

  it('pushes a reopened notebook\u2019s saved values before any cell runs, again after a restart', async () => {
    const nb = new FakeNotebook();
    nb.meta.spark_k8s = { widgetValues: { env: 'prod' } };
    const kernel = new FakeKernel();
    const model = new ParameterModel(
      () => nb,
      () => kernel
    );
    assert.equal(model.needsPush, true);
    await model.refresh();
    assert.equal(
      kernel.requests[0].code,
      runtimeBootstrap() + setWidgetValues({ env: 'prod' })
    );
    assert.equal(model.needsPush, false);
    assert.equal(model.valueOf('env'), 'prod');
    await model.refresh();
    assert.equal(kernel.requests[1].code, setWidgetValues({ env: 'prod' }));
    model.kernelRestarted();
    assert.equal(model.needsPush, true);
    await model.refresh();
    assert.equal(
      kernel.requests[2].code,
      runtimeBootstrap() + setWidgetValues({ env: 'prod' })
    );
  });

  it('keeps what it knew when the kernel has no runtime yet', async () => {
    const nb = new FakeNotebook();
    const kernel = new FakeKernel();
    kernel.declared = null;
    const model = new ParameterModel(
      () => nb,
      () => kernel
    );
    await model.refresh();
    assert.deepEqual(model.widgets, {});
  });

  it('is safe to dispose twice and stops emitting', async () => {
    const model = new ParameterModel(
      () => new FakeNotebook(),
      () => new FakeKernel()
    );
    let changes = 0;
    model.changed.connect(() => changes++);
    model.dispose();
    model.dispose();
    await model.refresh();
    assert.equal(changes, 0);
    assert.equal(model.isDisposed, true);
  });
});
