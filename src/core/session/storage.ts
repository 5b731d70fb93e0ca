/**
 * Lakehouse storage presets as Spark conf: an S3-compatible bucket through Hadoop's
 * S3A, Delta Lake's extension and catalog, and an Iceberg catalog. Credentials are
 * only ever a reference (a Secret name and its key names): the kernel (or the pod's
 * environment, from a secretKeyRef) turns them into AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY, which S3A's provider reads. No value is ever in this conf.
 */
import contract from '../kernel/contract.json';
import type { IStoragePresets } from './profile';

/** Where the conf is used: the kernel's own JVM, or a driver pod on Kubernetes. */
export type StorageTarget = 'kernel' | 'kubernetes';

/** The Maven packages (and the conf they need) tested for one Spark minor version. */
interface IPackageSet {
  s3: string[];
  delta: string[] | null;
  deltaConf?: Record<string, string>;
  iceberg: string[] | null;
  excludes: string[];
}

const PACKAGES = contract.storage.packages as unknown as Record<
  string,
  IPackageSet | string
>;

/** The Spark minor version the packages are chosen for when none is given (the kernel's). */
export const STORAGE_SPARK_VERSION: string = PACKAGES.default as string;

/** S3A's credential provider: reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (AWS SDK v2). */
export const S3_CREDENTIALS_PROVIDER =
  'software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider';
/** Delta Lake's SQL extension. */
export const DELTA_EXTENSION = 'io.delta.sql.DeltaSparkSessionExtension';
/** Delta Lake's session catalog. */
export const DELTA_CATALOG = 'org.apache.spark.sql.delta.catalog.DeltaCatalog';
/** Iceberg's SQL extension. */
export const ICEBERG_EXTENSION =
  'org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions';
/** Iceberg's Spark catalog. */
export const ICEBERG_CATALOG = 'org.apache.iceberg.spark.SparkCatalog';
/** The Iceberg catalog's name when the preset names none. */
export const DEFAULT_ICEBERG_CATALOG = 'lakehouse';
/** The region S3A signs for when the preset names none (S3-compatible servers accept it). */
export const DEFAULT_S3_REGION = 'us-east-1';

const S3 = contract.storage;

function minor(version: string | undefined): string {
  const m = /^(\d+)\.(\d+)/.exec(version ?? '');
  return m ? `${m[1]}.${m[2]}` : STORAGE_SPARK_VERSION;
}

function packageSet(version: string | undefined): IPackageSet | null {
  const set = PACKAGES[minor(version)];
  return typeof set === 'object' && set !== null ? set : null;
}

/** The Spark minor versions (e.g. `4.1`) whose tested packages include `part`. */
function sparkWith(part: 'delta' | 'iceberg'): string {
  return Object.keys(PACKAGES)
    .filter(v => packageSet(v)?.[part])
    .join(', ');
}

/**
 * The Spark conf of `presets` for `target`; `sparkVersion` (the kernel's or the
 * image's, e.g. `4.3.0`) picks the Maven packages, default `STORAGE_SPARK_VERSION`.
 * Validate first (`validateStorage`): this only resolves.
 */
export function storageConf(
  presets: IStoragePresets | undefined,
  target: StorageTarget,
  sparkVersion?: string
): Record<string, string> {
  const conf: Record<string, string> = {};
  if (!presets) {
    return conf;
  }
  const set = packageSet(sparkVersion);
  const maven = (presets.jars ?? 'maven') === 'maven';
  const packages: string[] = [];
  const extensions: string[] = [];
  const s3 = presets.s3;
  if (s3) {
    packages.push(...(set?.s3 ?? []));
    const hadoop = 'spark.hadoop.fs.s3a.';
    conf[hadoop + 'endpoint'] = s3.endpoint;
    conf[hadoop + 'endpoint.region'] = s3.region || DEFAULT_S3_REGION;
    conf[hadoop + 'path.style.access'] = String(s3.pathStyle ?? true);
    conf[hadoop + 'connection.ssl.enabled'] = String(
      /^https:/i.test(s3.endpoint)
    );
    conf[hadoop + 'aws.credentials.provider'] = S3_CREDENTIALS_PROVIDER;
    if (s3.credentialsSecret) {
      const accessKey = s3.accessKeyKey || S3.accessKeyEnv;
      const secretKey = s3.secretKeyKey || S3.secretKeyEnv;
      conf[S3.credentialsSecret] = s3.credentialsSecret;
      conf[S3.accessKeyKey] = accessKey;
      conf[S3.secretKeyKey] = secretKey;
      // Executor pods (and, on Kubernetes, the driver pod) get the values from the
      // Secret as environment variables: the reference, never the value, is in conf.
      const roles =
        target === 'kubernetes' ? ['driver', 'executor'] : ['executor'];
      for (const role of roles) {
        const ref = `spark.kubernetes.${role}.secretKeyRef.`;
        conf[ref + S3.accessKeyEnv] = `${s3.credentialsSecret}:${accessKey}`;
        conf[ref + S3.secretKeyEnv] = `${s3.credentialsSecret}:${secretKey}`;
      }
    }
    if (s3.dbfsRoot) {
      conf[contract.dbfsRootConf] = s3.dbfsRoot;
    }
  }
  if (presets.delta) {
    packages.push(...(set?.delta ?? []));
    extensions.push(DELTA_EXTENSION);
    conf['spark.sql.catalog.spark_catalog'] = DELTA_CATALOG;
    if (maven) {
      // What the tested Delta release needs on this Spark (on 4.3: reads through
      // Delta's kernel-based connector, as the classic one does not link).
      Object.assign(conf, set?.deltaConf ?? {});
    }
  }
  const iceberg = presets.iceberg;
  if (iceberg) {
    packages.push(...(set?.iceberg ?? []));
    extensions.push(ICEBERG_EXTENSION);
    const name = iceberg.catalog || DEFAULT_ICEBERG_CATALOG;
    const key = `spark.sql.catalog.${name}`;
    conf[key] = ICEBERG_CATALOG;
    conf[`${key}.type`] = iceberg.type;
    const warehouse = icebergWarehouse(presets);
    if (warehouse) {
      conf[`${key}.warehouse`] = warehouse;
    }
    if (iceberg.uri) {
      conf[`${key}.uri`] = iceberg.uri;
    }
  }
  if (extensions.length) {
    conf['spark.sql.extensions'] = extensions.join(',');
  }
  if (maven && packages.length) {
    conf['spark.jars.packages'] = packages.join(',');
    if (set?.excludes.length) {
      // Leave out what PySpark already ships (Hadoop client, Parquet, Jackson, Netty…)
      // and the 600 MB AWS SDK bundle: the S3 modules above replace it.
      conf['spark.jars.excludes'] = set.excludes.join(',');
    }
  }
  return conf;
}

/** The Iceberg warehouse: the preset's, else `s3a://<bucket>/iceberg` for a hadoop catalog on a bucket. */
function icebergWarehouse(presets: IStoragePresets): string | undefined {
  const iceberg = presets.iceberg;
  if (iceberg?.warehouse) {
    return iceberg.warehouse;
  }
  if (iceberg && iceberg.type !== 'rest' && presets.s3?.bucket) {
    return `s3a://${presets.s3.bucket}/iceberg`;
  }
  return undefined;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z0-9][a-z0-9-]{0,62}$/;
const SECRET_NAME =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]{1,253}$/;
const CATALOG = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Text with no whitespace, control character or comma (a Spark list separator). */
function uriText(text: string): boolean {
  return (
    /^[^\s,]+$/.test(text) &&
    ![...text].some(c => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127)
  );
}

/** An http(s) URL split in parts (core has no DOM `URL`), or null. */
function httpUrl(text: string): { userinfo: string; rest: string } | null {
  const m =
    /^https?:\/\/(?:([^/?#@]*)@)?([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?([/?#].*)?$/i.exec(
      text
    );
  return m && uriText(text) ? { userinfo: m[1] ?? '', rest: m[4] ?? '' } : null;
}

/**
 * Problems with `presets`, in plain words; empty when they can be used.
 * With jars from Maven, also whether tested jars exist for `sparkVersion` (the Spark
 * they must run on: the kernel's, or the image's; default `STORAGE_SPARK_VERSION`); the
 * kernel checks its own Spark again before it starts (runtime/storage.py).
 */
export function validateStorage(
  presets: IStoragePresets | undefined,
  label: string,
  sparkVersion?: string
): string[] {
  const errors: string[] = [];
  if (presets === undefined) {
    return errors;
  }
  const say = (text: string) => errors.push(`Profile "${label}": ${text}`);
  if (typeof presets !== 'object' || presets === null) {
    say('"storage" must be an object with s3, delta or iceberg.');
    return errors;
  }
  if (
    presets.jars !== undefined &&
    !['maven', 'image'].includes(presets.jars)
  ) {
    say(
      `storage jars "${String(presets.jars)}" is neither "maven" (resolved by Spark) nor "image" (already in the image).`
    );
  }
  const s3 = presets.s3;
  if (s3 !== undefined) {
    validateS3(s3, say);
  }
  if (presets.delta !== undefined && typeof presets.delta !== 'boolean') {
    say('storage "delta" must be true or false.');
  }
  const iceberg = presets.iceberg;
  if (iceberg !== undefined) {
    validateIceberg(presets, say);
  }
  if (
    (presets.jars ?? 'maven') === 'maven' &&
    (s3 || presets.delta || iceberg)
  ) {
    const version = minor(sparkVersion);
    const set = packageSet(sparkVersion);
    if (!set) {
      say(
        `no Maven packages are known to work with Spark ${version}: set storage jars to "image" and use an image that has the S3A, Delta and Iceberg jars.`
      );
    } else {
      if (presets.delta && !set.delta) {
        say(
          `Delta Lake has no release for Spark ${version} on Maven Central yet: set storage jars to "image" with an image that has one, or remove "delta".`
        );
      }
      if (iceberg && !set.iceberg) {
        say(
          `Iceberg has no release for Spark ${version} on Maven Central yet (its Spark runtime stops at Spark ${sparkWith('iceberg')}): use a kernel with Spark ${sparkWith('iceberg')}, set storage jars to "image" with an image that has one, or remove "iceberg".`
        );
      }
    }
  }
  return errors;
}

function validateS3(
  s3: NonNullable<IStoragePresets['s3']>,
  say: (text: string) => void
): void {
  if (typeof s3 !== 'object' || s3 === null) {
    say('storage "s3" must be an object with an endpoint.');
    return;
  }
  const endpoint = typeof s3.endpoint === 'string' ? s3.endpoint : '';
  const url = httpUrl(endpoint);
  if (!url) {
    say(
      `S3 endpoint "${endpoint}" is not an http(s) URL; use e.g. http://minio.storage:9000.`
    );
  } else if (url.userinfo) {
    say(
      'the S3 endpoint must not carry credentials: put them in a Kubernetes Secret and name it in "credentialsSecret".'
    );
  } else if (/[?#]/.test(url.rest)) {
    say(`S3 endpoint "${endpoint}" must have no query or fragment.`);
  }
  if (s3.region !== undefined && !REGION.test(s3.region)) {
    say(`S3 region "${s3.region}" is not a region name (e.g. us-east-1).`);
  }
  if (s3.pathStyle !== undefined && typeof s3.pathStyle !== 'boolean') {
    say('S3 "pathStyle" must be true or false.');
  }
  if (s3.bucket !== undefined && !BUCKET.test(s3.bucket)) {
    say(
      `S3 bucket "${s3.bucket}" is not a bucket name (3 to 63 lower-case letters, digits, dots and dashes).`
    );
  }
  if (
    s3.credentialsSecret !== undefined &&
    (!SECRET_NAME.test(s3.credentialsSecret) ||
      s3.credentialsSecret.length > 253)
  ) {
    say(
      `S3 credentials Secret "${s3.credentialsSecret}" is not a Kubernetes Secret name.`
    );
  }
  for (const [what, key] of [
    ['accessKeyKey', s3.accessKeyKey],
    ['secretKeyKey', s3.secretKeyKey]
  ] as const) {
    if (key !== undefined && !SECRET_KEY.test(key)) {
      say(
        `S3 "${what}" "${key}" is not a Secret key (letters, digits, "-", "_", ".").`
      );
    }
    if (key !== undefined && s3.credentialsSecret === undefined) {
      say(
        `S3 "${what}" needs "credentialsSecret": the Secret that has that key.`
      );
    }
  }
  if (
    s3.dbfsRoot !== undefined &&
    !/^[a-z][a-z0-9+.-]*:\/\/[^\s,]+$/.test(s3.dbfsRoot)
  ) {
    say(`dbfs root "${s3.dbfsRoot}" is not a URI; use e.g. s3a://bucket/dbfs.`);
  }
}

function validateIceberg(
  presets: IStoragePresets,
  say: (text: string) => void
): void {
  const iceberg = presets.iceberg!;
  if (typeof iceberg !== 'object' || iceberg === null) {
    say('storage "iceberg" must be an object with a catalog type.');
    return;
  }
  if (!['hadoop', 'jdbc', 'rest'].includes(iceberg.type)) {
    say(
      `Iceberg catalog type "${String(iceberg.type)}" is not one of hadoop, jdbc, rest.`
    );
  }
  const name = iceberg.catalog ?? DEFAULT_ICEBERG_CATALOG;
  if (!CATALOG.test(name)) {
    say(
      `Iceberg catalog name "${name}" is not a SQL identifier (letters, digits, "_").`
    );
  } else if (name === 'spark_catalog') {
    say(
      'the Iceberg catalog cannot be named spark_catalog (Spark\'s own, and Delta\'s); use e.g. "lakehouse".'
    );
  }
  if (iceberg.warehouse !== undefined && !uriText(iceberg.warehouse)) {
    say(
      `Iceberg warehouse "${iceberg.warehouse}" is not a URI; use e.g. s3a://bucket/iceberg.`
    );
  }
  if (iceberg.type === 'hadoop' && !icebergWarehouse(presets)) {
    say(
      'an Iceberg hadoop catalog needs a warehouse (e.g. s3a://bucket/iceberg) or an S3 bucket.'
    );
  }
  if (iceberg.type === 'jdbc' || iceberg.type === 'rest') {
    const uri = iceberg.uri ?? '';
    const ok =
      iceberg.type === 'jdbc'
        ? /^jdbc:[a-z0-9]+:/i.test(uri) && uriText(uri)
        : httpUrl(uri) !== null;
    if (!ok) {
      say(
        iceberg.type === 'jdbc'
          ? `an Iceberg jdbc catalog needs a JDBC URI (jdbc:postgresql://host/db), not "${uri}".`
          : `an Iceberg rest catalog needs an http(s) URI, not "${uri}".`
      );
    } else if (/password=|:\/\/[^/@]*:[^/@]*@/i.test(uri)) {
      say(
        'the Iceberg catalog URI must not carry a password: the catalog has to accept the pod without one.'
      );
    }
  }
}
