import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { exampleCases } from '../__testUtils__/actions';
import { fakeFleetApi } from '../__testUtils__/demoFleet';
import { createCapaIdentityResolveAction } from './identityResolve';
import { examples } from './identityResolve.examples';

describe('capa:identity:resolve examples', () => {
  it.each(exampleCases(examples))('runs: %s', async (_, input) => {
    const action = createCapaIdentityResolveAction({ api: fakeFleetApi() });
    const ctx = createMockActionContext({ input });
    await action.handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith(
      'identityRef',
      expect.objectContaining({ kind: expect.any(String) }),
    );
    expect(ctx.output).not.toHaveBeenCalledWith('verdict', 'broken');
  });
});
