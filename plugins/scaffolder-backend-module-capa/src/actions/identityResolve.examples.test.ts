import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import yaml from 'yaml';
import { fakeFleetApi } from '../__testUtils__/demoFleet';
import { createCapaIdentityResolveAction } from './identityResolve';
import { examples } from './identityResolve.examples';

describe('capa:identity:resolve examples', () => {
  it.each(examples.map(e => [e.description, e] as const))(
    'runs: %s',
    async (_, example) => {
      const action = createCapaIdentityResolveAction({ api: fakeFleetApi() });
      const ctx = createMockActionContext({
        input: yaml.parse(example.example).steps[0].input,
      });
      await action.handler(ctx as any);
      expect(ctx.output).toHaveBeenCalledWith(
        'identityRef',
        expect.objectContaining({ kind: expect.any(String) }),
      );
      expect(ctx.output).not.toHaveBeenCalledWith('verdict', 'broken');
    },
  );
});
