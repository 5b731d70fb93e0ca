/**
 * The real Spark servers of the tests (tests/servers/spark.py), as its `env`
 * prints them: a standalone master with a worker, and a Spark Connect server.
 */

/** Where the test servers listen. */
export interface ITestServers {
  /** `spark://127.0.0.1:<port>`. */
  standaloneMaster: string;
  /** The master's web UI, `http://127.0.0.1:<port>`. */
  standaloneUi: string;
  /** `sc://127.0.0.1:<port>`. */
  connectRemote: string;
  /** The Connect server's Spark UI, when `env` printed it. */
  connectUi: string | null;
}

/** The servers' addresses; a clear error when they were not started. */
export function testServers(): ITestServers {
  const env = process.env;
  const names = [
    'SPARK_K8S_TEST_STANDALONE_MASTER',
    'SPARK_K8S_TEST_STANDALONE_UI',
    'SPARK_K8S_TEST_CONNECT_REMOTE',
    'SPARK_K8S_TEST_CONNECT_TOKEN_FILE'
  ];
  const missing = names.filter(name => !env[name]);
  if (missing.length) {
    throw new Error(
      `${missing.join(', ')} not set: start the servers with \`python tests/servers/spark.py start DIR\` and put \`python tests/servers/spark.py env DIR\` into the environment (scripts/test.sh does both).`
    );
  }
  return {
    standaloneMaster: env.SPARK_K8S_TEST_STANDALONE_MASTER!,
    standaloneUi: env.SPARK_K8S_TEST_STANDALONE_UI!,
    connectRemote: env.SPARK_K8S_TEST_CONNECT_REMOTE!,
    connectUi: env.SPARK_K8S_TEST_CONNECT_UI || null
  };
}
