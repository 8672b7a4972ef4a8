import { useRouteRef } from '@backstage/core-plugin-api';
import type { OnboardingGapAccount } from '@capa-portal/plugin-capa-common';
import { scaffolderTemplateRouteRef } from '../../routes';

/** The template of plugins/scaffolder-backend-module-capa/templates/onboard-aws-account. */
export const ONBOARDING_TEMPLATE = {
  namespace: 'default',
  templateName: 'capa-onboard-aws-account',
};

/**
 * The template's `accountName` (`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`, at most 50): the Organizations name lowercased,
 * other characters turned into `-`. Undefined when nothing usable is left (the user types one).
 */
export function templateAccountName(name: string | undefined) {
  const slug = (name ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 50)
    .replace(/^-+|-+$/g, '');
  return slug || undefined;
}

/**
 * The URL of the onboarding template prefilled with an account: the scaffolder reads `?formData=` (JSON) into the
 * form's initial values.
 */
export function useOnboardingLink(): (account: OnboardingGapAccount) => string {
  const templateRoute = useRouteRef(scaffolderTemplateRouteRef);
  const base =
    templateRoute?.(ONBOARDING_TEMPLATE) ??
    `/create/templates/${ONBOARDING_TEMPLATE.namespace}/${ONBOARDING_TEMPLATE.templateName}`;
  return account => {
    const accountName = templateAccountName(account.name);
    const formData = {
      accountId: account.accountId,
      ...(accountName ? { accountName } : {}),
    };
    return `${base}?formData=${encodeURIComponent(JSON.stringify(formData))}`;
  };
}
