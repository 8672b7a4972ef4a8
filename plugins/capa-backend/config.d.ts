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
    /**
     * Alerts on trust regressions through Backstage's notifications backend (see the README, "Alerts"): when an
     * account's or workload cluster's verdict gets worse (trusted or configured to degraded or broken) or
     * recovers, its owner group is notified once per change.
     */
    notifications?: {
      /**
       * Send notifications. Default: on when `@backstage/plugin-notifications-backend` is installed in this
       * backend; set true when it runs on another backend instance, false to turn alerts off.
       */
      enabled?: boolean;
      /**
       * Only accounts of these tiers (`capa.accounts[].tier`), and the clusters in them, notify (compared without
       * case). Default: every account, with or without a tier.
       */
      tiers?: string[];
      /**
       * Tell a management cluster's owner once when its source goes stale (reads fail) and once when it is read
       * again (default true). While stale, its accounts and clusters notify nothing.
       */
      staleSources?: boolean;
    };
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
