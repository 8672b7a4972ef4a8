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
    };
  };
}
