// Jest: unit tests sit next to the code (packages/*/src, apps/*/src); integration and
// end-to-end tests live in test/ and use real Redis, a real S3 server and real Chromium.
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }] };
// `@pixelfarm/<name>/config` is a package's configuration fragment alone (packages/<name>/config).
const moduleNameMapper = { '^@pixelfarm/([a-z-]+)$': '<rootDir>/packages/$1/src', '^@pixelfarm/([a-z-]+)/config$': '<rootDir>/packages/$1/src/$1.config' };
const common = { transform, moduleNameMapper, testEnvironment: 'node', rootDir: __dirname };

module.exports = {
  // After a full run on this machine jest stayed alive with no child process, socket or pipe
  // left, only a ref'd handle in the main process that is not traced yet; targeted runs exit.
  // Exit once the results are in, so CI cannot hang past its time limit on it.
  forceExit: true,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{packages,apps}/*/src/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.js',
      globalTeardown: '<rootDir>/test/support/global-teardown.js',
      setupFilesAfterEnv: ['<rootDir>/test/support/jest-timeout.js'],
    },
  ],
};
