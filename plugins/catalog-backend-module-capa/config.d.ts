import { HumanDuration } from '@backstage/types';

export interface Config {
  /** capa-portal (DESIGN.md §5); the catalog module's settings. */
  capa?: {
    /** The catalog entity provider. */
    catalog?: {
      /** How often entities are re-emitted from the capa backend (default every 30 seconds). */
      schedule?: {
        frequency: HumanDuration;
        timeout: HumanDuration;
        initialDelay?: HumanDuration;
      };
      /** Owner of entities whose source names none (default `unknown`). */
      defaultOwner?: string;
      defaultSystem?: string;
      /**
       * AWS account entities beside other providers (default `emit`). `attach`: where another provider (such as
       * `@backstage/plugin-catalog-backend-module-aws`'s Organizations processor) already has a `cloud-account`
       * Resource with the same `amazonaws.com/account-id`, capa emits none and relates its clusters, identities
       * and management clusters to that entity; capa emits the accounts nobody else has. `none`: capa emits no
       * account entities at all.
       */
      accountEntities?: 'emit' | 'attach' | 'none';
    };
  };
}
