// `npm run lint` (scripts/test.sh runs it first) and `npm run lint:fix`.
// Runs every check, then fails if any failed:
//   core-types  tsc -p tsconfig.core.json: src/core compiles with ES2022 and the web
//               globals in src/core/web-globals.d.ts only (no DOM, no Node)
//   eslint      eslint.config.mjs: TypeScript rules, @jupyter/eslint-plugin and the
//               import rules that keep src/core, src/lab, src/service, src/cli apart
//   stylelint   style/**/*.css (stylelint.config.mjs)
//   prettier    formatting of TypeScript, CSS, schemas and Galata tests
//   ruff        `ruff check` and `ruff format --check` of the Python code
// With --fix, the fixable ones fix what they can first (tsc has nothing to fix).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fix = process.argv.includes('--fix');
const bin = name => join(root, 'node_modules', '.bin', name);

const PRETTIER_FILES = [
  'src/**/*.{ts,tsx}',
  'style/**/*.css',
  'schema/*.json',
  'ui-tests/tests/**/*.ts'
];
const PYTHON_PATHS = [
  'jupyterlab_spark_k8s',
  'tests',
  'bench',
  'ui-tests/*.py'
];

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: false });
  if (r.error) {
    console.error(`lint: cannot run ${cmd}: ${r.error.message}`);
    return false;
  }
  return r.status === 0;
}

function ruff() {
  const venv = join(root, '.venv', 'bin', 'ruff');
  if (existsSync(venv)) {
    return venv;
  }
  const onPath = spawnSync('ruff', ['--version'], { stdio: 'ignore' });
  return onPath.status === 0 ? 'ruff' : null;
}

/** Expands ui-tests/*.py (no shell here). */
function pythonPaths() {
  return PYTHON_PATHS.flatMap(p => {
    if (!p.includes('*')) {
      return [p];
    }
    const r = spawnSync(
      'bash',
      ['-c', `shopt -s nullglob; printf '%s\\n' ${p}`],
      {
        cwd: root,
        encoding: 'utf8'
      }
    );
    return r.stdout.split('\n').filter(Boolean);
  });
}

const checks = [
  [
    'core-types',
    () => {
      // src/core/kernel imports a file that `npm run build:runtime` generates.
      if (!existsSync(join(root, 'src/core/kernel/archive.generated.ts'))) {
        if (!run('npm', ['run', '--silent', 'build:runtime'])) {
          return false;
        }
      }
      return run(bin('tsc'), ['-p', 'tsconfig.core.json']);
    }
  ],
  [
    'eslint',
    () =>
      run(bin('eslint'), [
        ...(fix ? ['--fix'] : []),
        'src',
        'ui-tests/tests',
        'schema'
      ])
  ],
  [
    'stylelint',
    () => run(bin('stylelint'), [...(fix ? ['--fix'] : []), 'style/**/*.css'])
  ],
  [
    'prettier',
    () =>
      run(bin('prettier'), [
        fix ? '--write' : '--check',
        '--log-level',
        'warn',
        ...PRETTIER_FILES
      ])
  ],
  [
    'ruff',
    () => {
      const exe = ruff();
      if (!exe) {
        console.error(
          'lint: ruff not found (.venv/bin/ruff); run `bash scripts/setup.sh` first'
        );
        return false;
      }
      const paths = pythonPaths();
      const checked = run(exe, ['check', ...(fix ? ['--fix'] : []), ...paths]);
      const formatted = run(exe, [
        'format',
        ...(fix ? [] : ['--check', '--output-format', 'concise']),
        ...paths
      ]);
      return checked && formatted;
    }
  ]
];

const failed = [];
for (const [name, check] of checks) {
  console.log(`--- lint: ${name}`);
  if (!check()) {
    failed.push(name);
  }
}
if (failed.length) {
  console.error(`lint failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log('lint: all checks passed');
