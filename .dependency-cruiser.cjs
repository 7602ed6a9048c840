// Architecture boundaries (CONVENTIONS 1 and 12), checked in `npm test`.
const infrastructure = [
  '^@nestjs/',
  '^better-sqlite3$',
  '^kafkajs$',
  '^mongodb$',
  '^@kurrent/',
  '^@eventstore/',
  '^mingo',
  '^node:(fs|net|http|https|child_process|worker_threads)$',
  '^(fs|net|http|https|child_process|worker_threads)$',
];

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'libs/domain holds deciders and rules only: no framework, no store client, no I/O.',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: { path: infrastructure.map((p) => `node_modules/${p.replace(/^\^/, '')}`) },
    },
    {
      name: 'domain-imports-only-domain',
      comment: 'libs/domain may not reach into other libs or apps (its specs may use the shared test helpers).',
      severity: 'error',
      from: { path: '^libs/domain/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^(libs/(?!domain/)|apps/)' },
    },
    {
      name: 'domain-no-io-builtins',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: { dependencyTypes: ['core'], path: '^(fs|net|http|https|child_process|worker_threads|dgram|cluster)$' },
    },
    {
      name: 'apps-do-not-import-apps',
      comment: 'Each app is a composition root; shared code lives in libs.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/([^/]+)/', pathNot: '^apps/$1/' },
    },
    {
      name: 'libs-do-not-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
