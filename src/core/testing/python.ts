/**
 * Test helper: ask a real Python what generated code means.
 */
import { execFileSync } from 'node:child_process';

const PYTHON = process.env.PYTHON ?? 'python3';

/** Evaluate Python literal expressions; returns their values as JSON-decoded data. */
export function pythonLiterals(expressions: string[]): unknown[] {
  const program = [
    'import ast, json, sys',
    'out = []',
    'for line in sys.stdin.read().split("\\n"):',
    '    if line:',
    '        out.append(ast.literal_eval(line))',
    // ensure_ascii keeps lone surrogates representable in JSON.
    'sys.stdout.write(json.dumps(out, ensure_ascii=True))'
  ].join('\n');
  const stdout = execFileSync(PYTHON, ['-c', program], {
    input: expressions.join('\n') + '\n',
    maxBuffer: 256 * 1024 * 1024
  });
  return JSON.parse(stdout.toString('utf8'));
}

/** Compile Python source; returns null when it compiles, else the SyntaxError text. */
export function pythonCompileError(source: string): string | null {
  const program =
    'import sys\ntry:\n    compile(sys.stdin.read(), "<generated>", "exec")\nexcept SyntaxError as e:\n    print(repr(e))';
  const out = execFileSync(PYTHON, ['-c', program], {
    input: source
  }).toString();
  return out.trim() ? out.trim() : null;
}
