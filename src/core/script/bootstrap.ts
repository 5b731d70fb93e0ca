/**
 * Python that loads runtime.py into a namespace as `_spark_k8s_runtime`.
 *
 * The kernel and generated scripts both receive runtime.py's text this way, so
 * neither needs this package installed. The module is not registered in
 * `sys.modules`: cloudpickle then ships anything defined in it by value.
 */
import { pyStr, pyStrDict, RUNTIME_NAME } from '../translate';

/** A Python literal holding `source`: a readable raw string when that is exact. */
export function sourceLiteral(source: string): string {
  const rawSafe =
    !source.includes("'''") &&
    !source.endsWith('\\') &&
    !source.includes('\r') &&
    // eslint-disable-next-line no-control-regex
    !/[^\x09\x0a\x20-\x7e]/.test(source);
  return rawSafe ? "r'''" + source + "'''" : pyStr(source);
}

/** Python that defines `_spark_k8s_runtime` from runtime.py's text, once per namespace. */
export function runtimeBootstrap(runtimeSource: string): string {
  return [
    'def _spark_k8s_load_runtime(source):',
    '    import types',
    '    module = types.ModuleType("spark_k8s_runtime")',
    '    module.__file__ = "spark_k8s_runtime.py"',
    '    exec(compile(source, module.__file__, "exec"), module.__dict__)',
    '    return module',
    '',
    '',
    // Loading twice would drop the running session's state: keep the first.
    `if "${RUNTIME_NAME}" not in globals():`,
    `    ${RUNTIME_NAME} = _spark_k8s_load_runtime(${sourceLiteral(runtimeSource)})`,
    'del _spark_k8s_load_runtime',
    ''
  ].join('\n');
}

/** Python that starts a session with `conf`, binding spark/sc/display in this namespace. */
export function startSessionCall(conf: Record<string, string>): string {
  return `${RUNTIME_NAME}.start_session(${pyStrDict(conf)}, user_ns=globals())`;
}
