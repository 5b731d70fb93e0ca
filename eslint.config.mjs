// ESLint flat config. Besides the usual checks it encodes the architecture, so a
// wrong-way import is a lint error (run by `npm run lint`, which the test command runs):
//
//   src/core     pure TypeScript shared by the browser, the service and the CLI:
//                no src/lab, src/service, src/cli, src/kube, no JupyterLab/Lumino/React, no
//                @kubernetes/client-node, no Node built-ins (specs and src/core/testing
//                may use Node built-ins: they only run under node:test)
//   src/lab      (and src/index.ts) the JupyterLab plugins: no src/service, src/cli, src/kube,
//                no Node built-ins (except in specs)
//   src/kube     Node-side Kubernetes code shared by the service and the CLI (server-side
//                apply, API errors): src/core, @kubernetes/client-node and Node built-ins
//                only; no src/lab, src/service, src/cli
//   src/service  the Node service: no src/lab, no src/cli (src/kube is fine)
//   src/cli      the CLI: no src/lab, no src/service (src/kube is fine)
//
// ESLint matches import strings, not resolved files, and a relative path means a
// different folder at every depth (`../service` from src/lab/x.ts is src/lab/service).
// So the relative-path rules are generated per depth below src/<area>/.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import jupyter from '@jupyter/eslint-plugin';

const esc = s => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const AREAS = ['core', 'lab', 'kube', 'service', 'cli'];
const MAX_DEPTH = 6; // folders below src/<area>/ that get relative-path rules

/** Files exactly `depth` folders below src/<area>/ (depth 0 is src/<area>/*.ts). */
const filesAt = (area, depth) => `src/${area}/${'*/'.repeat(depth)}*.{ts,tsx}`;

/** An import of src/<target> (or anything in it) from a file at this depth of an area. */
const areaImport = (targets, depth, why) => ({
  regex: `^(\\.\\./){${depth + 1}}(${targets.join('|')})(/.*)?$`,
  message: why
});

const NODE_BUILTINS = {
  regex: `^(node:.*|(${[...new Set(builtinModules.map(m => m.split('/')[0]))]
    .filter(m => !m.startsWith('_'))
    .map(esc)
    .join('|')})(/.*)?)$`
};

const WHY = {
  coreOut:
    'src/core is shared by the browser, the service and the CLI: it must not import src/lab, src/service, src/cli, src/kube or the src/index.ts entry. Move the shared code into src/core instead.',
  coreUi:
    'src/core runs in the browser and in Node without JupyterLab: no @jupyterlab/*, @lumino/* or React here (put UI code in src/lab).',
  coreK8s:
    'src/core must not depend on @kubernetes/client-node (it also runs in the browser); Kubernetes API calls belong in src/kube (shared by the service and the CLI) or src/service.',
  coreNode:
    'src/core also runs in the browser: no Node built-ins (node:*, fs, path, child_process, …). Pass what you need in, or put the code in src/service or src/cli.',
  labOut:
    'src/lab runs in the browser: it talks to the service over HTTP and must not import src/service, src/cli or src/kube (Node code).',
  labNode:
    'src/lab runs in the browser: no Node built-ins (node:*, fs, path, child_process, …).',
  kubeOut:
    'src/kube is Node code shared by the service and the CLI: it must not import src/lab (browser code), src/service or src/cli. Shared pure code goes in src/core.',
  kubeUi:
    'src/kube runs in Node without JupyterLab: no @jupyterlab/*, @lumino/* or React here.',
  serviceOut:
    'src/service is a Node program: it must not import src/lab (browser code) or src/cli. Shared code goes in src/core.',
  cliOut:
    'src/cli is a Node program: it must not import src/lab (browser code) or src/service. Shared code goes in src/core.'
};

function restrictions(area, depth, { nodeAllowed = false } = {}) {
  const patterns = [];
  if (area === 'core') {
    patterns.push(
      areaImport(['lab', 'service', 'cli', 'kube'], depth, WHY.coreOut),
      // `../..` (from depth 1) is src/index.ts, the lab entry point.
      { regex: `^(\\.\\./){${depth}}\\.\\.(/|/index)?$`, message: WHY.coreOut },
      {
        group: [
          '@jupyterlab/*',
          '@lumino/*',
          '/react',
          '/react/**',
          '/react-dom',
          '/react-dom/**'
        ],
        message: WHY.coreUi
      },
      {
        group: ['/@kubernetes/client-node', '/@kubernetes/client-node/**'],
        message: WHY.coreK8s
      }
    );
    if (!nodeAllowed) {
      patterns.push({ ...NODE_BUILTINS, message: WHY.coreNode });
    }
  } else if (area === 'lab') {
    patterns.push(areaImport(['service', 'cli', 'kube'], depth, WHY.labOut));
    if (!nodeAllowed) {
      patterns.push({ ...NODE_BUILTINS, message: WHY.labNode });
    }
  } else if (area === 'kube') {
    patterns.push(areaImport(['lab', 'service', 'cli'], depth, WHY.kubeOut), {
      group: ['@jupyterlab/*', '@lumino/*', '/react', '/react/**'],
      message: WHY.kubeUi
    });
  } else if (area === 'service') {
    patterns.push(areaImport(['lab', 'cli'], depth, WHY.serviceOut));
  } else if (area === 'cli') {
    patterns.push(areaImport(['lab', 'service'], depth, WHY.cliOut));
  }
  return { 'no-restricted-imports': ['error', { patterns }] };
}

const architecture = [];
for (const area of AREAS) {
  for (let depth = 0; depth <= MAX_DEPTH; depth++) {
    architecture.push({
      name: `architecture/${area}/depth-${depth}`,
      files: [filesAt(area, depth)],
      rules: restrictions(area, depth)
    });
  }
}
// Specs run only under node:test (and src/core/testing only in specs): Node built-ins
// are fine there. A later config object replaces the rule's options, so the block
// repeats the area's other restrictions.
for (const area of ['core', 'lab']) {
  for (let depth = 0; depth <= MAX_DEPTH; depth++) {
    architecture.push({
      name: `architecture/${area}-tests/depth-${depth}`,
      files: [
        [filesAt(area, depth), '**/*.spec.{ts,tsx}'],
        ...(area === 'core'
          ? [[filesAt(area, depth), 'src/core/testing/**']]
          : [])
      ],
      rules: restrictions(area, depth, { nodeAllowed: true })
    });
  }
}
// src/index.ts (and any other file directly in src/) is the labextension entry point.
architecture.push({
  name: 'architecture/src-root',
  files: ['src/*.{ts,tsx}'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { regex: '^\\./(service|cli|kube)(/.*)?$', message: WHY.labOut },
          { ...NODE_BUILTINS, message: WHY.labNode }
        ]
      }
    ]
  }
});

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      'lib/**',
      'build/**',
      'dist/**',
      'jupyterlab_spark_k8s/**',
      '.venv/**',
      // Generated by scripts/build-runtime.mjs.
      'src/core/kernel/archive.generated.ts'
    ]
  },
  {
    files: ['src/**/*.{ts,tsx}', 'ui-tests/tests/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      curly: ['error', 'all'],
      'prefer-const': 'error',
      'no-var': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true
        }
      ],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-namespace': 'off'
    }
  },
  // @jupyter/eslint-plugin's recommended rules (JupyterLab plugin, command, signal and
  // translation conventions; most are warnings, which do not fail the lint). They are
  // about JupyterLab code, so they apply to the lab side, the Galata tests and the
  // settings schemas, not to src/core, src/service or src/cli.
  { name: 'jupyter/plugin', plugins: { jupyter } },
  ...jupyter.configs.recommended.map(c => ({
    ...c,
    files: c.files.flatMap(f =>
      f.startsWith('**/schema/')
        ? ['schema/*.json']
        : [
            f.replace(/^\*\*\//, 'src/lab/**/'),
            f.replace(/^\*\*\//, 'src/'),
            f.replace(/^\*\*\//, 'ui-tests/tests/**/')
          ]
    )
  })),
  ...architecture
);
