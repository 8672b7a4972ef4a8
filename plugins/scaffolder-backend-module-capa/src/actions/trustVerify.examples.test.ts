import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import yaml from 'yaml';
import { fakeFleetApi } from '../__testUtils__/demoFleet';
import { createCapaTrustVerifyAction } from './trustVerify';
import { examples } from './trustVerify.examples';

describe('capa:trust:verify examples', () => {
  it.each(examples.map(e => [e.description, e] as const))(
    'runs: %s',
    async (_, example) => {
      const action = createCapaTrustVerifyAction({ api: fakeFleetApi() });
      const ctx = createMockActionContext({
        input: yaml.parse(example.example).steps[0].input,
      });
      await action.handler(ctx as any);
      expect(ctx.output).toHaveBeenCalledWith('verdict', 'configured');
    },
  );
});
