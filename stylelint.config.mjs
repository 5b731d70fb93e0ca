// Stylelint for style/**/*.css: stylelint-config-standard, adapted to JupyterLab's
// naming (`--jp-*` theme variables, `jp-SparkK8s-block-element` classes, BEM-ish
// `jp-mod-*` modifiers).
/** @type {import('stylelint').Config} */
export default {
  extends: ['stylelint-config-standard'],
  rules: {
    // JupyterLab classes: jp-<Component>[-<part>], e.g. jp-SparkK8s-panel,
    // jp-SparkK8s-row, jp-mod-active; lowercase-hyphenated names also pass.
    'selector-class-pattern': [
      '^(jp|lm)-[A-Za-z0-9]+(-[A-Za-z0-9]+)*$|^[a-z][a-z0-9]*(-[a-z0-9]+)*$',
      {
        message: name =>
          `Class ${name} should look like jp-SparkK8s-part (JupyterLab style) or be kebab-case`
      }
    ],
    // Theme variables are JupyterLab's: --jp-ui-font-color1, --jp-layout-color0, …
    'custom-property-pattern': [
      '^(jp|lm|spark-k8s)-[a-z0-9]+(-[a-z0-9]+)*$',
      {
        message: name =>
          `Custom property ${name} should be --jp-… or --spark-k8s-…`
      }
    ]
  }
};
