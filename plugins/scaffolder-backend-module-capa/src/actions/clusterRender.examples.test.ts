import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { exampleCases } from '../__testUtils__/actions';
import { createCapaClusterRenderAction } from './clusterRender';
import { examples } from './clusterRender.examples';

describe('capa:cluster:render examples', () => {
  const workspace = createMockDirectory();
  beforeEach(() => workspace.clear());

  it.each(exampleCases(examples))('runs: %s', async (_, input) => {
    // Template expressions resolve before the action runs; a skipped identity step renders as empty.
    for (const [k, v] of Object.entries(input))
      if (typeof v === 'string' && v.startsWith('${{')) delete input[k];
    const action = createCapaClusterRenderAction();
    const ctx = createMockActionContext({
      input,
      workspacePath: workspace.path,
    });
    await action.handler(ctx as any);
    const files = (ctx.output as jest.Mock).mock.calls.find(
      c => c[0] === 'files',
    )![1];
    expect(files).toHaveLength(1);
    expect(Object.keys(workspace.content() ?? {}).length).toBe(1);
  });
});
