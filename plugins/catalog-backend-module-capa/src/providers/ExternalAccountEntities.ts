import type { AuthService } from '@backstage/backend-plugin-api';
import {
  ANNOTATION_ORIGIN_LOCATION,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_ACCOUNT_ID,
  ENTITY_TYPE_ACCOUNT,
} from '@capa-portal/plugin-capa-common';

/**
 * How capa-portal lives beside other providers of AWS account entities (`capa.catalog.accountEntities`):
 * - `emit` (default): capa emits an account entity per account.
 * - `attach`: where another provider already has a `cloud-account` entity with the same
 *   `amazonaws.com/account-id` (`@backstage/plugin-catalog-backend-module-aws`'s Organizations processor, a
 *   catalog-info file, ...), capa emits none for that account and points its relations at that entity; capa
 *   emits the accounts nobody else has.
 * - `none`: capa emits no account entities; relations point at another provider's entity where there is one,
 *   else at capa's usual name (a relation to an entity that does not exist, until someone emits it).
 *
 * @public
 */
export type AccountEntityMode = 'emit' | 'attach' | 'none';

/**
 * Which account ids other providers already have an entity for, and that entity's ref.
 *
 * @public
 */
export interface ExternalAccountEntitySource {
  accountRefs(): Promise<Map<string, string>>;
}

/**
 * Asks the catalog (with the module's own service credentials) for the `cloud-account` Resources that capa did
 * not emit, once per refresh cycle for every provider (`maxAgeMs`, like the shared fleet report). A failed
 * query is not remembered: the providers then apply nothing, so the catalog never gets a second entity for an
 * account because the catalog could not be asked.
 */
export class CatalogExternalAccountEntities
  implements ExternalAccountEntitySource
{
  readonly #catalog: CatalogService;
  readonly #auth: AuthService;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #last?: { at: number; refs: Promise<Map<string, string>> };

  constructor(options: {
    catalog: CatalogService;
    auth: AuthService;
    maxAgeMs?: number;
    now?: () => number;
  }) {
    this.#catalog = options.catalog;
    this.#auth = options.auth;
    this.#maxAgeMs = options.maxAgeMs ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  accountRefs(): Promise<Map<string, string>> {
    const now = this.#now();
    if (this.#last && now - this.#last.at < this.#maxAgeMs)
      return this.#last.refs;
    const refs = this.#query();
    const entry = { at: now, refs };
    this.#last = entry;
    refs.catch(() => {
      if (this.#last === entry) this.#last = undefined;
    });
    return refs;
  }

  async #query(): Promise<Map<string, string>> {
    const { items } = await this.#catalog.getEntities(
      {
        filter: {
          kind: 'Resource',
          'spec.type': ENTITY_TYPE_ACCOUNT,
          [`metadata.annotations.${ANNOTATION_ACCOUNT_ID}`]:
            CATALOG_FILTER_EXISTS,
        },
        fields: [
          'kind',
          'metadata.namespace',
          'metadata.name',
          'metadata.annotations',
        ],
      },
      { credentials: await this.#auth.getOwnServiceCredentials() },
    );
    const refs = new Map<string, string>();
    for (const entity of items) {
      const annotations = entity.metadata.annotations ?? {};
      // capa's own account entities (emitted before the mode changed) are not someone else's.
      if (annotations[ANNOTATION_ORIGIN_LOCATION]?.startsWith('capa:'))
        continue;
      const accountId = annotations[ANNOTATION_ACCOUNT_ID];
      const ref = stringifyEntityRef(entity);
      // Two foreign entities for one account: the first by ref, so the choice does not flip between cycles.
      if (accountId && (!refs.has(accountId) || ref < refs.get(accountId)!))
        refs.set(accountId, ref);
    }
    return refs;
  }
}
