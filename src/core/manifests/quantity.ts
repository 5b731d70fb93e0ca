/**
 * Kubernetes quantities (`500m`, `1Gi`) and Spark sizes (`2g`, `512m`),
 * validated with clear messages and converted between the two.
 */
import { show } from './names';

const K8S_QUANTITY =
  /^\+?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i|[numkMGTPE])?$/;

const SPARK_SIZE = /^(\d+)([kmgtp]b?|b)?$/i;

const BINARY_POWER: { [suffix: string]: number } = {
  Ki: 1,
  Mi: 2,
  Gi: 3,
  Ti: 4,
  Pi: 5,
  Ei: 6
};

/** Checks a Kubernetes resource quantity (non-negative); returns a problem or null. */
export function validateQuantity(
  value: string,
  what = 'quantity'
): string | null {
  if (typeof value !== 'string' || !K8S_QUANTITY.test(value.trim())) {
    return `${what} ${show(String(value))} is not a Kubernetes quantity: use a number with an optional suffix, such as 500m, 2, 1Gi or 512Mi.`;
  }
  if (value !== value.trim()) {
    return `${what} ${show(value)} has surrounding spaces.`;
  }
  return null;
}

/** Checks a CPU quantity (`0.5`, `500m`, `2`); returns a problem or null. */
export function validateCpu(value: string, what = 'CPU'): string | null {
  const problem = validateQuantity(value, what);
  if (problem) {
    return problem;
  }
  if (!/^\+?(\d+(\.\d*)?|\.\d+)m?$/.test(value)) {
    return `${what} ${show(value)} should be a number of cores such as 1 or 0.5, or millicores such as 500m.`;
  }
  if (!/[1-9]/.test(value)) {
    return `${what} ${show(value)} must be more than zero.`;
  }
  return null;
}

/**
 * Normalizes a memory size to the Spark form the operators' `memory` and
 * `memoryOverhead` fields take (`512m`, `2g`; a bare number means MiB, as in
 * `spark.driver.memory`). Accepts Spark sizes (`2g`, `2G`, `2gb`) and
 * Kubernetes binary quantities (`2Gi`, `1.5Gi` → `1536m`). Decimal Kubernetes
 * suffixes (`2G`) are read as Spark reads them: binary.
 */
export function toSparkMemory(
  value: string,
  what = 'memory'
): { value: string } | { error: string } {
  const text = typeof value === 'string' ? value.trim() : '';
  const binary = /^(\d+(\.\d+)?)([KMGTPE]i)$/.exec(text);
  if (binary) {
    const mib = Number(binary[1]) * Math.pow(1024, BINARY_POWER[binary[3]] - 2);
    if (!Number.isInteger(mib) || mib < 1) {
      return {
        error: `${what} ${show(value)} is not a whole number of MiB; Spark takes whole sizes such as 512m or 2g.`
      };
    }
    return { value: compactMiB(mib) };
  }
  const spark = SPARK_SIZE.exec(text);
  if (!spark || text !== value) {
    if (/^\d*\.\d+\s*[kmgtp]?b?$/i.test(text)) {
      return {
        error: `${what} ${show(value)} has a fraction; Spark takes whole sizes: write 1536m instead of 1.5g.`
      };
    }
    return {
      error: `${what} ${show(String(value))} is not a size: use a whole number with k, m, g or t (Spark, e.g. 512m or 2g) or Ki, Mi, Gi (Kubernetes, e.g. 2Gi).`
    };
  }
  const n = Number(spark[1]);
  const unit = (spark[2] || 'm').charAt(0).toLowerCase();
  if (n === 0) {
    return { error: `${what} ${show(value)} must be more than zero.` };
  }
  if (unit === 'b' || unit === 'k') {
    const kib = unit === 'b' ? n / 1024 : n;
    if (kib < 1024) {
      return {
        error: `${what} ${show(value)} is less than 1 MiB; did you mean ${n}m?`
      };
    }
    return { value: `${n}${unit}` };
  }
  return { value: `${n}${unit}` };
}

/** Checks a memory size accepted by `toSparkMemory`; returns a problem or null. */
export function validateSparkMemory(
  value: string,
  what = 'memory'
): string | null {
  const result = toSparkMemory(value, what);
  return 'error' in result ? result.error : null;
}

function compactMiB(mib: number): string {
  if (mib % (1024 * 1024) === 0) {
    return `${mib / (1024 * 1024)}t`;
  }
  if (mib % 1024 === 0) {
    return `${mib / 1024}g`;
  }
  return `${mib}m`;
}
