// One config, three tiers (CONVENTIONS 11): pure specs, real-adapter integration specs, end-to-end suites.
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
    swcrc: false,
  },
];

const moduleNameMapper = {
  '^@crm/(domain|event-store|messaging|read-models|config|testing|sqlite|privacy|platform)$': '<rootDir>/libs/$1/src',
  '^@crm/event-store/esdb$': '<rootDir>/libs/event-store/src/esdb/esdb-event-store',
};

// Real servers: the environment, or the file `npm run infra:up` writes (globalSetup loads it).
const servers = Boolean(process.env.KAFKA_BROKERS && process.env.MONGO_URL) || require('node:fs').existsSync(`${__dirname}/.infra/env`);

const base = { rootDir: __dirname, testEnvironment: 'node', transform: { '^.+\\.ts$': swc }, moduleNameMapper };

module.exports = {
  maxWorkers: 2,
  globalSetup: '<rootDir>/test/support/global-setup.js',
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'],
      testPathIgnorePatterns: ['\\.int\\.spec\\.ts$', '/node_modules/'],
    },
    { ...base, displayName: 'int', testMatch: ['<rootDir>/{apps,libs}/**/*.int.spec.ts'] },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.spec.ts'] },
    // The read-side acceptance suites again, on the production path in one process: Kafka feed and
    // MongoDB stores (test/support/api-harness.ts, CRM_TEST_STACK). Only with the real servers.
    ...(servers
      ? [
          {
            ...base,
            displayName: 'e2e-servers',
            testMatch: ['<rootDir>/test/read/**/*.spec.ts'],
            setupFilesAfterEnv: ['<rootDir>/test/support/servers-stack.js'],
          },
        ]
      : []),
  ],
};
