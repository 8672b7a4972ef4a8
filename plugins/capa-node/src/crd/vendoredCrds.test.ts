import fs from 'fs';
import path from 'path';
import { sharedCrdDir, vendoredCrdDir } from './testUtils';

const sharedPresent = fs.existsSync(sharedCrdDir);

describe('vendored CRDs (plugins/capa-node/crds)', () => {
  it('has the upstream README and at least the 18 CRD files', () => {
    expect(fs.existsSync(path.join(vendoredCrdDir, 'README.md'))).toBe(true);
    expect(
      fs.readdirSync(vendoredCrdDir).filter(f => f.endsWith('.yaml')).length,
    ).toBeGreaterThanOrEqual(18);
  });

  if (!sharedPresent) {
    it.skip(`equal ../shared/crds byte for byte (skipped: ${sharedCrdDir} does not exist)`, () => {});
    return;
  }

  it(`equal ${sharedCrdDir} byte for byte`, () => {
    const shared = fs.readdirSync(sharedCrdDir).sort();
    const vendored = fs.readdirSync(vendoredCrdDir).sort();
    expect(vendored).toEqual(shared);
    for (const name of shared) {
      const a = fs.readFileSync(path.join(sharedCrdDir, name));
      const b = fs.readFileSync(path.join(vendoredCrdDir, name));
      expect({ name, equal: a.equals(b) }).toEqual({ name, equal: true });
    }
  });
});
