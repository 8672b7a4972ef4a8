/** ESLint settings the capa-portal packages add to Backstage's (see each package's .eslintrc.js). */
module.exports = {
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
};
