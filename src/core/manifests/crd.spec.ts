import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import yaml from 'js-yaml';
import {
  buildApacheApplication,
  buildKubeflowApplication,
  buildKubeflowScheduledApplication
} from './application';
import {
  CRDS,
  crdSchema,
  ISchema,
  sampleSchedule,
  sampleSpec,
  schemaProblems
} from './fixtures.spec';
import type { IManifest } from './types';
import { toYaml } from './yaml';

// The manifests as the API server would receive them: through our YAML.
function reparsed(manifest: IManifest): unknown {
  return yaml.load(toYaml([manifest]));
}

function podTemplateSchema(): ISchema {
  const apache = crdSchema(CRDS.apacheApp, 'v1');
  return apache.properties!.spec.properties!.driverSpec.properties!
    .podTemplateSpec;
}

const minimal = sampleSpec({
  imagePullPolicy: undefined,
  dynamicAllocation: undefined,
  timeToLiveSeconds: undefined,
  nodeSelector: undefined,
  tolerations: undefined,
  sparkConf: {},
  secretEnv: [],
  restartPolicy: { type: 'Never' },
  driver: { cores: 1, memory: '1g' },
  executor: { cores: 1, memory: '1g' }
});

describe('manifests against the real CRD schemas', () => {
  for (const [label, spec] of [
    ['full', sampleSpec()],
    ['minimal', minimal]
  ] as const) {
    it(`kubeflow SparkApplication (${label}) declares every field it sets`, () => {
      const manifest = reparsed(buildKubeflowApplication(spec)) as any;
      const schema = crdSchema(CRDS.kubeflowApp, 'v1beta2');
      assert.deepEqual(schemaProblems(manifest, schema), []);
      // The templates are open in the kubeflow CRD: check them as pod templates.
      for (const role of ['driver', 'executor']) {
        assert.deepEqual(
          schemaProblems(
            manifest.spec[role].template,
            podTemplateSchema(),
            role
          ),
          []
        );
      }
    });

    it(`kubeflow ScheduledSparkApplication (${label}) declares every field it sets`, () => {
      const manifest = reparsed(
        buildKubeflowScheduledApplication(
          { ...spec, name: 'etl-nightly' },
          sampleSchedule()
        )
      ) as any;
      const schema = crdSchema(CRDS.kubeflowScheduled, 'v1beta2');
      assert.deepEqual(schemaProblems(manifest, schema), []);
      for (const role of ['driver', 'executor']) {
        assert.deepEqual(
          schemaProblems(
            manifest.spec.template[role].template,
            podTemplateSchema(),
            role
          ),
          []
        );
      }
    });

    it(`Apache SparkApplication (${label}) declares every field it sets`, () => {
      const manifest = reparsed(buildApacheApplication(spec));
      const schema = crdSchema(CRDS.apacheApp, 'v1');
      assert.deepEqual(schemaProblems(manifest, schema), []);
    });
  }

  it('the checker catches a misspelt field, a wrong type and a bad enum', () => {
    const manifest = buildKubeflowScheduledApplication(
      sampleSpec({ name: 'etl-nightly' }),
      sampleSchedule()
    ) as any;
    manifest.spec.timezone = manifest.spec.timeZone;
    delete manifest.spec.timeZone;
    manifest.spec.template.driver.cores = '1';
    manifest.spec.template.mode = 'Cluster';
    manifest.metadata.uid = 'x';
    const problems = schemaProblems(
      manifest,
      crdSchema(CRDS.kubeflowScheduled, 'v1beta2')
    );
    assert.deepEqual(problems.sort(), [
      'metadata.uid: unexpected',
      'spec.template.driver.cores: expected an integer',
      'spec.template.mode: "Cluster" is not one of ["cluster","client"]',
      'spec.timezone: not declared in the CRD'
    ]);
  });

  it('the checker catches an unknown field inside a pod template', () => {
    const template = buildKubeflowApplication(sampleSpec()).spec as any;
    template.driver.template.spec.containers[0].envs = [];
    assert.deepEqual(
      schemaProblems(template.driver.template, podTemplateSchema(), 'driver'),
      ['driver.spec.containers[0].envs: not declared in the CRD']
    );
  });
});
