/** The extension's icons. */
import { LabIcon } from '@jupyterlab/ui-components';

const SPARK_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16" height="16">
  <path class="jp-icon3" fill="#616161" d="M12 1.5l2.6 7.1 7.4.3-5.8 4.6 2.1 7.2L12 16.5l-6.3 4.2 2.1-7.2L2 8.9l7.4-.3z"/>
</svg>`;

/** The Spark panel and status item icon. */
export const sparkIcon = new LabIcon({
  name: 'jupyterlab-spark-k8s:spark',
  svgstr: SPARK_SVG
});
