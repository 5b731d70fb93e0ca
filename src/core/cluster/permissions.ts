/**
 * What each feature needs from the Kubernetes RBAC, and what a
 * SelfSubjectRulesReview says is missing. The shipped Role (deploy/rbac.yaml)
 * grants exactly these.
 */

/** One permission: verbs on a resource of an API group ('' is the core group). */
export interface IPermission {
  group: string;
  resource: string;
  verbs: string[];
  /** A rule limited to named objects (resourceNames) is enough. */
  byName?: boolean;
}

/** A rule as SelfSubjectRulesReview reports it. */
export interface IResourceRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

/** Features the panel enables or disables by permission. */
export type Feature = 'session' | 'watch' | 'secrets' | 'publish';

/** The permissions each feature needs. */
export const FEATURE_PERMISSIONS: Record<Feature, IPermission[]> = {
  // Spark's own client-mode scheduler backend creates executor pods and their conf map.
  session: [
    {
      group: '',
      resource: 'pods',
      verbs: ['create', 'get', 'list', 'watch', 'delete', 'deletecollection']
    },
    {
      group: '',
      resource: 'configmaps',
      verbs: ['create', 'get', 'list', 'delete', 'deletecollection']
    },
    { group: '', resource: 'persistentvolumeclaims', verbs: ['get', 'list'] }
  ],
  watch: [
    { group: '', resource: 'pods', verbs: ['get', 'list', 'watch'] },
    { group: '', resource: 'events', verbs: ['list', 'watch'] }
  ],
  // The mapped Secrets, read by name: deploy/rbac.yaml grants no list (which cannot be
  // limited by name).
  secrets: [{ group: '', resource: 'secrets', verbs: ['get'], byName: true }],
  publish: [
    {
      group: 'sparkoperator.k8s.io',
      resource: 'sparkapplications',
      verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete']
    },
    {
      group: 'sparkoperator.k8s.io',
      resource: 'scheduledsparkapplications',
      verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete']
    },
    { group: '', resource: 'configmaps', verbs: ['get', 'create', 'patch'] },
    { group: '', resource: 'pods/log', verbs: ['get'] }
  ]
};

function allows(rule: IResourceRule, p: IPermission, verb: string): boolean {
  const { group, resource } = p;
  if (rule.resourceNames && rule.resourceNames.length && !p.byName) {
    return false; // limited to named objects: not enough for list/create
  }
  const has = (list: string[] | undefined, value: string) =>
    !!list && (list.includes('*') || list.includes(value));
  return (
    has(rule.apiGroups, group) &&
    has(rule.resources, resource) &&
    has(rule.verbs, verb)
  );
}

/** `verb resource[.group]` strings the rules do not grant for `permissions`. */
export function missingPermissions(
  rules: readonly IResourceRule[],
  permissions: readonly IPermission[]
): string[] {
  const missing: string[] = [];
  for (const p of permissions) {
    for (const verb of p.verbs) {
      if (!rules.some(r => allows(r, p, verb))) {
        missing.push(`${verb} ${p.resource}${p.group ? '.' + p.group : ''}`);
      }
    }
  }
  return missing;
}

/** For every feature: whether it is allowed, and what is missing if not. */
export function featurePermissions(
  rules: readonly IResourceRule[]
): Record<Feature, { allowed: boolean; missing: string[] }> {
  const out = {} as Record<Feature, { allowed: boolean; missing: string[] }>;
  for (const feature of Object.keys(FEATURE_PERMISSIONS) as Feature[]) {
    const missing = missingPermissions(rules, FEATURE_PERMISSIONS[feature]);
    out[feature] = { allowed: missing.length === 0, missing };
  }
  return out;
}
