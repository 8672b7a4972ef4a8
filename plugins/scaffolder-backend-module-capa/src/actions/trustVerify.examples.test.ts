import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { exampleCases } from '../__testUtils__/actions';
import { fakeFleetApi } from '../__testUtils__/demoFleet';
import { createCapaTrustVerifyAction } from './trustVerify';
import { examples } from './trustVerify.examples';

describe('capa:trust:verify examples', () => {
  it.each(exampleCases(examples))('runs: %s', async (_, input) => {
    const action = createCapaTrustVerifyAction({ api: fakeFleetApi() });
    const ctx = createMockActionContext({ input });
    await action.handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('verdict', 'configured');
  });
});
