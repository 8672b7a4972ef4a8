import { createMockDirectory } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { exampleCases } from '../__testUtils__/actions';
import { fakeFleetApi } from '../__testUtils__/demoFleet';
import { createCapaAccountBootstrapAction } from './accountBootstrap';
import { examples } from './accountBootstrap.examples';

describe('capa:account:bootstrap examples', () => {
  const workspace = createMockDirectory();
  beforeEach(() => workspace.clear());

  it.each(exampleCases(examples))('runs: %s', async (_, input) => {
    const action = createCapaAccountBootstrapAction({ api: fakeFleetApi() });
    const ctx = createMockActionContext({
      input,
      workspacePath: workspace.path,
    });
    await action.handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith(
      'trustPolicyJson',
      expect.stringContaining('sts:AssumeRole'),
    );
    expect(ctx.output).toHaveBeenCalledWith(
      'identityYaml',
      expect.stringContaining('kind: AWSClusterRoleIdentity'),
    );
    const files = (ctx.output as jest.Mock).mock.calls.find(
      c => c[0] === 'files',
    )![1];
    expect(files.length > 0).toBe(input.writeFiles === true);
  });
});
