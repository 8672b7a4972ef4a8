/*
 * iam:ListOpenIDConnectProviders of one account, with its own credentials: the provider ARNs IRSA needs
 * (`arn:aws:iam::<account>:oidc-provider/<issuer host/path>`). The call has no pagination (IAM API Reference).
 */
import { ListOpenIDConnectProvidersCommand } from '@aws-sdk/client-iam';
import { describeAwsError } from '../awsErrors';
import { GathererContext, iamClient } from './context';

export async function listOidcProviders(
  ctx: GathererContext,
  accountId: string,
  partition: string,
  problems: string[],
): Promise<string[] | undefined> {
  const iam = await iamClient(
    ctx,
    { accountId, partition },
    'listing OIDC providers',
  );
  if (!iam) return undefined;
  try {
    const out = await ctx.call(() =>
      iam.send(new ListOpenIDConnectProvidersCommand({})),
    );
    return (out.OpenIDConnectProviderList ?? []).flatMap(p =>
      p.Arn ? [p.Arn] : [],
    );
  } catch (e) {
    problems.push(
      `iam:ListOpenIDConnectProviders in ${accountId}: ${describeAwsError(e)}`,
    );
    return undefined;
  }
}
