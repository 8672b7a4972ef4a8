module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  testRules: {
    // Property-based suites assert through fast-check and helpers named expect*/faultScenario.
    'jest/expect-expect': [
      'warn',
      {
        assertFunctionNames: [
          'expect',
          'expect*',
          'fc.assert',
          'faultScenario',
        ],
      },
    ],
  },
});
