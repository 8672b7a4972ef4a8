import { HumanDuration } from '@backstage/types';

export interface Config {
  /**
   * capa-portal (DESIGN.md §5). The fleet itself (`fleetFile`, `managementClusters`, `accounts`) and the AWS
   * gatherer's settings are declared by `@capa-portal/plugin-capa-node`; these are the backend plugin's own.
   */
  capa?: {
    /** How often the backend reads every management cluster (default every 5 minutes, timeout 2 minutes). */
    refresh?: {
      frequency?: HumanDuration;
      timeout?: HumanDuration;
      initialDelay?: HumanDuration;
      /**
       * Several replicas: one replica at a time watches each live management cluster (`kubernetes.watch`),
       * holding a lease in the plugin's database. The lease lasts `ttl` unless renewed (default 20 seconds: a
       * replica that dies hands its watches over within about that); its holder renews it every `renewEvery`
       * (default 5 seconds, at most a third of `ttl`).
       */
      watchLease?: {
        ttl?: HumanDuration;
        renewEvery?: HumanDuration;
      };
    };
    /** How often trust is verified live with AWS, when `aws` credentials are configured (default 30 minutes). */
    verification?: {
      frequency?: HumanDuration;
      timeout?: HumanDuration;
      initialDelay?: HumanDuration;
    };
    /** Verify live with STS and IAM (default: on when an `aws` config block exists). */
    liveVerification?: boolean;
    /** Authorization of the capa API (see the README, "Permissions"). */
    permissions?: {
      /**
       * Serve an account's or cluster's trust data only to callers who may also read its catalog entity
       * (`catalog.entity.read`), so the catalog's policy protects /api/capa too (default true).
       */
      catalogVisibility?: boolean;
    };
  };
}
