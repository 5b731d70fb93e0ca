/**
 * Migration help: what a Databricks-only Spark property (`spark.databricks.*`)
 * becomes on open-source Spark, in plain words. Used for session profiles
 * (`profileWarnings`) and imported Databricks jobs.
 */

/** What a `spark.databricks.*` key becomes outside Databricks. */
export interface IDatabricksConfAdvice {
  /**
   * `keep`: open-source Spark (or a library the profile adds) reads the key
   * itself; `replace`: another key does the same; `none`: no equivalent.
   */
  action: 'keep' | 'replace' | 'none';
  /** The nearest equivalent, in plain words (starts lower-case, no final period). */
  advice: string;
  /** The equivalent key, when there is one. */
  equivalent?: string;
  /** The Delta preset (or Delta jars) is what makes a `keep` key work. */
  needsDelta?: boolean;
}

interface IRule {
  /** A key equal to this, or starting with it when it ends with '.'. */
  match: string;
  advice: IDatabricksConfAdvice;
}

/**
 * The table, most specific entry first (first match wins). Each entry is
 * what is true of open-source Spark 3.5/4.0 and Delta Lake 3.x: nothing here
 * claims an equivalent that does not do the same thing.
 */
const RULES: readonly IRule[] = [
  {
    match: 'spark.databricks.delta.preview.enabled',
    advice: {
      action: 'none',
      advice:
        'it turns on Databricks Runtime preview features; open-source Delta Lake has no such switch (its features need no flag)'
    }
  },
  {
    match: 'spark.databricks.delta.',
    advice: {
      action: 'keep',
      needsDelta: true,
      advice:
        'open-source Delta Lake reads its own spark.databricks.delta.* keys too; it takes effect with the Delta preset (or Delta jars in the image), and keys only Databricks Runtime knows are ignored'
    }
  },
  {
    match: 'spark.databricks.io.cache.',
    advice: {
      action: 'none',
      advice:
        "the Databricks disk cache (local SSD copies of remote files) has no open-source equivalent; cache what you reuse with df.cache() or CACHE TABLE, or rely on the object store's own caching"
    }
  },
  {
    match: 'spark.databricks.service.',
    advice: {
      action: 'replace',
      advice:
        'Databricks Connect settings: use a connect profile (sc://host:15002) whose token is a Secret, file or environment reference'
    }
  },
  {
    match: 'spark.databricks.cluster.profile',
    advice: {
      action: 'replace',
      equivalent: 'spark.master',
      advice:
        'a single-node cluster is a local profile (spark.master local[*]); a "serverless" or "hc" cluster is a kubernetes, standalone or connect profile'
    }
  },
  {
    match: 'spark.databricks.sql.initial.catalog.name',
    advice: {
      action: 'replace',
      equivalent: 'spark.sql.defaultCatalog',
      advice:
        'spark.sql.defaultCatalog, naming a catalog the profile configures (e.g. the Iceberg preset\'s "lakehouse"), so catalog.schema.table names resolve there'
    }
  },
  {
    match: 'spark.databricks.unityCatalog.',
    advice: {
      action: 'replace',
      equivalent: 'spark.sql.defaultCatalog',
      advice:
        'Unity Catalog is not open-source Spark: configure a catalog (the Iceberg preset with a Hadoop, JDBC or REST catalog) and set spark.sql.defaultCatalog to it'
    }
  },
  {
    match: 'spark.databricks.hive.metastore.',
    advice: {
      action: 'replace',
      equivalent: 'spark.hadoop.hive.metastore.uris',
      advice:
        'point Spark at a Hive metastore with spark.sql.catalogImplementation=hive and spark.hadoop.hive.metastore.uris=thrift://host:9083'
    }
  },
  {
    match: 'spark.databricks.adaptive.',
    advice: {
      action: 'replace',
      equivalent: 'spark.sql.adaptive.enabled',
      advice:
        "adaptive query execution is spark.sql.adaptive.* (on by default since Spark 3.2; spark.sql.adaptive.coalescePartitions.enabled merges small shuffle partitions); Databricks' auto-optimized shuffle has no exact equivalent"
    }
  },
  {
    match: 'spark.databricks.optimizer.dynamicFilePruning',
    advice: {
      action: 'replace',
      equivalent: 'spark.sql.optimizer.dynamicPartitionPruning.enabled',
      advice:
        'the nearest is dynamic partition pruning, spark.sql.optimizer.dynamicPartitionPruning.enabled (on by default); file-level pruning is Databricks-only'
    }
  },
  {
    match: 'spark.databricks.photon.',
    advice: {
      action: 'none',
      advice:
        "Photon is Databricks' own engine: open-source Spark runs without it"
    }
  },
  {
    match: 'spark.databricks.acl.',
    advice: {
      action: 'none',
      advice:
        "table access control is Databricks-only: grant access in the catalog and the object store (a bucket policy, the profile's S3 credentials Secret)"
    }
  },
  {
    match: 'spark.databricks.passthrough.',
    advice: {
      action: 'none',
      advice:
        "credential passthrough is Databricks-only: give the session the bucket's credentials through the S3 preset's Secret reference"
    }
  },
  {
    match: 'spark.databricks.repl.allowedLanguages',
    advice: {
      action: 'none',
      advice:
        "the notebook's kernel decides the language; there is nothing to set"
    }
  },
  {
    match: 'spark.databricks.pyspark.',
    advice: {
      action: 'none',
      advice:
        'Databricks-only Python isolation settings; open-source PySpark has no equivalent'
    }
  },
  {
    match: 'spark.databricks.preemption.',
    advice: {
      action: 'replace',
      equivalent: 'spark.scheduler.mode',
      advice:
        'there is no task preemption; the nearest is fair sharing between jobs, spark.scheduler.mode=FAIR'
    }
  },
  {
    match: 'spark.databricks.clusterUsageTags.',
    advice: {
      action: 'none',
      advice:
        'Databricks sets these tags itself; labels of the application or pods take their place'
    }
  },
  {
    match: 'spark.databricks.workspaceUrl',
    advice: {
      action: 'none',
      advice: 'Databricks sets this itself; there is no workspace'
    }
  }
];

const FALLBACK: IDatabricksConfAdvice = {
  action: 'none',
  advice:
    'only Databricks Runtime reads it; open-source Spark ignores it (look for the spark.sql.* or spark.* setting it stood for)'
};

/** The advice for a `spark.databricks.*` key, or null for any other key. */
export function databricksConfAdvice(
  key: string
): IDatabricksConfAdvice | null {
  if (!key.startsWith('spark.databricks.')) {
    return null;
  }
  for (const rule of RULES) {
    if (
      rule.match.endsWith('.')
        ? key.startsWith(rule.match)
        : key === rule.match || key.startsWith(`${rule.match}.`)
    ) {
      return rule.advice;
    }
  }
  return FALLBACK;
}

/**
 * One warning per `spark.databricks.*` key of `conf`, `where` naming its place
 * (e.g. `Profile "etl": conf`). `delta`: whether Delta is configured, which
 * makes Delta's own keys fine as they are (no warning).
 */
export function databricksConfWarnings(
  conf: Record<string, unknown> | undefined,
  where: string,
  delta: boolean
): string[] {
  const warnings: string[] = [];
  for (const key of Object.keys(conf ?? {})) {
    const advice = databricksConfAdvice(key);
    if (!advice || (advice.action === 'keep' && delta)) {
      continue;
    }
    warnings.push(
      `${where} "${key}" is a Databricks setting: ${advice.advice}.`
    );
  }
  return warnings;
}
