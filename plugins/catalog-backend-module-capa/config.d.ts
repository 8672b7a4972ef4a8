import { HumanDuration } from '@backstage/types';

export interface Config {
  /** capa-portal (DESIGN.md §5); the catalog module's settings. */
  capa?: {
    /** The catalog entity provider. */
    catalog?: {
      /**
       * How often the providers ask the capa backend whether the report changed (default every 30 seconds); an
       * unchanged report costs a 304 and applies nothing.
       */
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
      /**
       * Between full mutations the provider applies deltas (what changed); a full mutation comes at least this
       * often as a safety net (default one hour).
       */
      fullMutationEvery?: HumanDuration;
      /**
       * After a start, the account entities are not applied until every management cluster has been read once (or
       * its read failed), so the catalog gets them once with settled verdicts instead of once per management
       * cluster's read; at most this long (default two minutes), then they are applied as they are. A management
       * cluster's own entities are applied as soon as it has been read.
       */
      firstReadWait?: HumanDuration;
    };
  };
}
