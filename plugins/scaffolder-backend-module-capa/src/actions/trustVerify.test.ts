import { mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { fakeFleetApi } from '../__testUtils__/demoFleet';
import { createCapaTrustVerifyAction } from './trustVerify';

describe('capa:trust:verify', () => {
  it('verifies the account through the backend and outputs the verdict and failing checks', async () => {
    const api = fakeFleetApi();
    const ctx = createMockActionContext({
      input: { accountId: '444444444444' },
    });
    await createCapaTrustVerifyAction({ api }).handler(ctx as any);
    expect(api.verifyAccount).toHaveBeenCalledWith('444444444444');
    expect(ctx.output).toHaveBeenCalledWith('verdict', 'broken');
    expect(ctx.output).toHaveBeenCalledWith('live', true);
    expect(ctx.output).toHaveBeenCalledWith(
      'failing',
      expect.arrayContaining([
        expect.objectContaining({
          id: 'target-trust',
          message: expect.stringContaining('ml-sandbox-identity'),
        }),
      ]),
    );
  });

  it('writes what the verification could not do to the task log', async () => {
    const api = fakeFleetApi();
    const verify = api.verifyAccount.getMockImplementation()!;
    api.verifyAccount.mockImplementation(async (id: string) => ({
      ...(await verify(id)),
      notices: [
        'AWS refused the credentials configured for account 111111111111',
      ],
    }));
    const logger = mockServices.logger.mock();
    const ctx = createMockActionContext({
      input: { accountId: '444444444444' },
      logger,
    });
    await createCapaTrustVerifyAction({ api }).handler(ctx as any);
    expect(logger.warn).toHaveBeenCalledWith(
      'AWS refused the credentials configured for account 111111111111',
    );
  });

  it('fails the task on broken only when failOnBroken is set', async () => {
    const api = fakeFleetApi();
    const ctx = createMockActionContext({
      input: { accountId: '444444444444', failOnBroken: true },
    });
    await expect(
      createCapaTrustVerifyAction({ api }).handler(ctx as any),
    ).rejects.toThrow(/trust of account 444444444444 is broken: target-trust/);
  });

  it('verifies the account of an identity and reports that identity', async () => {
    const api = fakeFleetApi();
    const ctx = createMockActionContext({
      input: {
        managementCluster: 'mgmt-eu',
        identityName: 'dev-identity',
        failOnBroken: true,
      },
    });
    await expect(
      createCapaTrustVerifyAction({ api }).handler(ctx as any),
    ).rejects.toThrow(
      /AWSClusterRoleIdentity\/dev-identity on mgmt-eu is broken: namespace-allowed/,
    );
    expect(api.verifyAccount).toHaveBeenCalledWith('121212121212');
  });

  it('checks the capa.trust.verify permission for the user running the template', async () => {
    const api = fakeFleetApi();
    const permissions = mockServices.permissions.mock();
    permissions.authorize.mockResolvedValue([{ result: 'DENY' } as any]);
    const ctx = createMockActionContext({
      input: { accountId: '222222222222' },
    });
    await expect(
      createCapaTrustVerifyAction({ api, permissions }).handler(ctx as any),
    ).rejects.toThrow(/capa.trust.verify/);
    expect(api.verifyAccount).not.toHaveBeenCalled();
    expect(permissions.authorize).toHaveBeenCalledWith(
      [
        {
          permission: expect.objectContaining({ name: 'capa.trust.verify' }),
          resourceRef: 'account:222222222222',
        },
      ],
      {
        credentials: expect.objectContaining({
          principal: expect.objectContaining({ type: 'user' }),
        }),
      },
    );
  });

  it('in a scaffolder dry run reads the last report instead of calling AWS', async () => {
    const api = fakeFleetApi();
    const ctx = createMockActionContext({
      input: { accountId: '222222222222' },
    });
    await createCapaTrustVerifyAction({ api }).handler({
      ...ctx,
      isDryRun: true,
    } as any);
    expect(api.verifyAccount).not.toHaveBeenCalled();
    expect(ctx.output).toHaveBeenCalledWith('live', false);
  });

  it('needs an account or an identity', async () => {
    const ctx = createMockActionContext({ input: {} });
    await expect(
      createCapaTrustVerifyAction({ api: fakeFleetApi() }).handler(ctx as any),
    ).rejects.toThrow(/accountId: give accountId/);
  });
});
