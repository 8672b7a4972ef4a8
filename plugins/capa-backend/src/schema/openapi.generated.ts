// Generated from openapi.yaml by scripts/openapi.mjs: do not edit by hand.

export const spec = {
  openapi: '3.1.0',
  info: {
    title: 'capa',
    version: '1',
    description:
      "capa-portal's trust API: management clusters and the health of their sources, AWS accounts with trust\nverdicts, full trust reports, workload clusters and identity chains. Every route needs Backstage\ncredentials (401 without). `capa.account.read` and `capa.trust.verify` are resource permissions of the\n`capa-resource` type, decided per account, cluster and identity (conditional decisions are applied with\ncapa's rules), and a resource is served only when the caller may also read its catalog entity\n(`catalog.entity.read`; `capa.permissions.catalogVisibility: false` turns this off).\n- `capa.account.read` denied outright: 403 on every route, naming it.\n- Lists, counts and totals hold only what the caller may read.\n- A single account, cluster or identity the caller may not read: 404 with the same message as one that does\n  not exist (a refusal never reveals existence).\n- `POST .../verify` on a readable account the caller may not verify: 403 naming `capa.trust.verify`.\n",
    license: {
      name: 'Apache-2.0',
    },
  },
  servers: [
    {
      url: '/',
    },
  ],
  paths: {
    '/management-clusters': {
      get: {
        operationId: 'listManagementClusters',
        description:
          'Management clusters with the health of their source (reachable, last sync, stale).',
        responses: {
          '200': {
            description: 'Management clusters.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/ItemsResponse',
                },
              },
            },
          },
          default: {
            $ref: '#/components/responses/ErrorResponse',
          },
        },
      },
    },
    '/report': {
      get: {
        operationId: 'getFleetReport',
        description:
          "The whole fleet report (accounts, clusters, identities, management clusters, input problems) with the\nhealth of every source. Used by capa-portal's catalog and scaffolder modules with service credentials.\nFor a caller who may read everything it carries a weak `ETag` that changes when the report's content or\na source's health (synced, failing) does, not with timestamps alone; `If-None-Match` with it answers\n`304 Not Modified` without a body.\n",
        parameters: [
          {
            name: 'If-None-Match',
            in: 'header',
            required: false,
            schema: {
              type: 'string',
            },
          },
        ],
        responses: {
          '200': {
            description: 'The fleet report.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: [
                    'accounts',
                    'clusters',
                    'identities',
                    'managementClusters',
                    'problems',
                    'sources',
                    'generatedAt',
                  ],
                  properties: {
                    accounts: {
                      type: 'array',
                      items: {
                        type: 'object',
                      },
                    },
                    clusters: {
                      type: 'array',
                      items: {
                        type: 'object',
                      },
                    },
                    identities: {
                      type: 'array',
                      items: {
                        type: 'object',
                      },
                    },
                    managementClusters: {
                      type: 'array',
                      items: {
                        type: 'object',
                      },
                    },
                    problems: {
                      type: 'array',
                      items: {
                        type: 'object',
                      },
                    },
                    sources: {
                      type: 'array',
                      items: {
                        type: 'object',
                      },
                    },
                    generatedAt: {
                      type: 'string',
                    },
                  },
                },
              },
            },
          },
          '304': {
            description: 'Not modified since the ETag given in If-None-Match.',
          },
          default: {
            $ref: '#/components/responses/ErrorResponse',
          },
        },
      },
    },
    '/catalog-view/accounts': {
      get: {
        operationId: 'getCatalogViewAccounts',
        description:
          "The accounts as capa-portal's catalog module builds its entities from them (a `CatalogFleetView` with\n`accounts` only: id, name, tier, owner, email, status, verdict; no checks). A weak `ETag` covers the\ncontent, not timestamps; `If-None-Match` with it answers `304 Not Modified` without a body.\n",
        parameters: [
          {
            name: 'If-None-Match',
            in: 'header',
            required: false,
            schema: {
              type: 'string',
            },
          },
        ],
        responses: {
          '200': {
            description: "The accounts' part of the fleet.",
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/CatalogFleetView',
                },
              },
            },
          },
          '304': {
            description: 'Not modified since the ETag given in If-None-Match.',
          },
          default: {
            $ref: '#/components/responses/ErrorResponse',
          },
        },
      },
    },
    '/catalog-view/management-clusters/{name}': {
      get: {
        operationId: 'getCatalogViewManagementCluster',
        description:
          "One management cluster's part of the fleet as capa-portal's catalog module builds its entities from it\n(a `CatalogFleetView`: its source's health in `sources`, its identities and workload clusters with the\nfields their entities are made from; no checks, evidence or conditions). A weak `ETag` covers the content\nand the source's health (synced, failing), not timestamps, so a change in another management cluster\nleaves it; `If-None-Match` with it answers `304 Not Modified` without a body. 404 for a management\ncluster not in the configuration.\n",
        parameters: [
          {
            name: 'name',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            name: 'If-None-Match',
            in: 'header',
            required: false,
            schema: {
              type: 'string',
            },
          },
        ],
        responses: {
          '200': {
            description: "The management cluster's part of the fleet.",
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/CatalogFleetView',
                },
              },
            },
          },
          '304': {
            description: 'Not modified since the ETag given in If-None-Match.',
          },
          default: {
            $ref: '#/components/responses/ErrorResponse',
          },
        },
      },
    },
    '/accounts': {
      get: {
        operationId: 'listAccounts',
        description:
          "Every AWS account known from identities, config and Organizations that the caller may read, with its\nverdict, and `allowed: { verify, createCluster }`: whether the policy lets the caller verify it\n(`capa.trust.verify`) and create clusters in it (`capa.cluster.create`). The verdict is the account's\nreachability (`reachability`: can CAPA assume into it along the identity chains that land in it);\n`clusterProblemCount` counts its clusters with problems of their own (docs/contracts.md §4).\nWith `namespace` (and optionally `managementCluster`), each item also has `forNamespace`: whether an\nidentity of the account admits that namespace on every link of its chain and reaches the account.\n",
        parameters: [
          {
            name: 'namespace',
            in: 'query',
            required: false,
            description:
              'Answer for a cluster in this namespace (`forNamespace` on every item).',
            schema: {
              type: 'string',
              pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
              maxLength: 63,
            },
          },
          {
            name: 'managementCluster',
            in: 'query',
            required: false,
            description:
              'With `namespace`, only identities of this management cluster count.',
            schema: {
              type: 'string',
            },
          },
        ],
        responses: {
          '200': {
            description: 'Accounts.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['items'],
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/AccountSummary',
                      },
                    },
                    generatedAt: {
                      type: 'string',
                    },
                  },
                },
              },
            },
          },
          default: {
            $ref: '#/components/responses/ErrorResponse',
          },
        },
      },
    },
    '/accounts/{accountId}/trust': {
      get: {
        operationId: 'getAccountTrust',
        description:
          "One account's full trust report, with the identities that target it and the clusters in it the caller may\nread. 404 when the account is not in the fleet or the caller may not read it.\n",
        parameters: [
          {
            $ref: '#/components/parameters/accountId',
          },
        ],
        responses: {
          '200': {
            description: 'The report.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/AccountTrustResponse',
                },
              },
            },
          },
          default: {
            $ref: '#/components/responses/ErrorResponse',
          },
        },
      },
    },
    '/accounts/{accountId}/trust/verify': {
      post: {
        operationId: 'verifyAccountTrust',
        description:
          'Re-verifies the account live now (IAM GetRole, policy simulation, STS AssumeRole along every chain). 404\nwhen the caller may not read the account; 403 when the caller may read but not verify it.\n',
        parameters: [
          {
            $ref: '#/components/parameters/accountId',
          },
        ],
        responses: {
          '200': {
            description: 'The report after verification.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/AccountTrustResponse',
                },
              },
            },
          },
          default: {
            $ref: '#/components/responses/ErrorResponse',
          },
        },
      },
    },
    '/clusters': {
      get: {
        operationId: 'listClusters',
        description: 'Workload clusters, filtered and paged.',
        parameters: [
          {
            name: 'managementCluster',
            in: 'query',
            required: false,
            schema: {
              type: 'string',
            },
          },
          {
            name: 'accountId',
            in: 'query',
            required: false,
            schema: {
              type: 'string',
              pattern: '^[0-9]{12}$',
            },
          },
          {
            name: 'namespace',
            in: 'query',
            required: false,
            schema: {
              type: 'string',
            },
          },
          {
            name: 'verdict',
            in: 'query',
            required: false,
            schema: {
              type: 'string',
              enum: ['broken', 'degraded', 'trusted', 'configured', 'unknown'],
            },
          },
          {
            name: 'phase',
            in: 'query',
            required: false,
            schema: {
              type: 'string',
            },
          },
          {
            name: 'q',
            in: 'query',
            required: false,
            schema: {
              type: 'string',
              maxLength: 200,
            },
          },
          {
            name: 'limit',
            in: 'query',
            required: false,
            schema: {
              type: 'integer',
              minimum: 1,
              maximum: 10000,
            },
          },
          {
            name: 'offset',
            in: 'query',
            required: false,
            schema: {
              type: 'integer',
              minimum: 0,
            },
          },
        ],
        responses: {
          '200': {
            description: 'Clusters.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['items', 'totalCount'],
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        type: 'object',
                      },
                    },
                    totalCount: {
                      type: 'integer',
                    },
                  },
                },
              },
            },
          },
          default: {
            $ref: '#/components/responses/ErrorResponse',
          },
        },
      },
    },
    '/clusters/{managementCluster}/{namespace}/{name}': {
      get: {
        operationId: 'getCluster',
        description:
          "One workload cluster's report, with CAPA's own conditions on the object that carries identityRef (capaConditions) beside our verdict, flagged when CAPA and we disagree or when a condition is stale.",
        parameters: [
          {
            name: 'managementCluster',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            name: 'namespace',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            name: 'name',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
            },
          },
        ],
        responses: {
          '200': {
            description: 'The cluster.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: [
                    'managementCluster',
                    'namespace',
                    'name',
                    'verdict',
                    'checks',
                  ],
                  properties: {
                    managementCluster: {
                      type: 'string',
                    },
                    namespace: {
                      type: 'string',
                    },
                    name: {
                      type: 'string',
                    },
                    verdict: {
                      type: 'string',
                    },
                    checks: {
                      type: 'array',
                      items: {
                        type: 'object',
                      },
                    },
                    capaConditions: {
                      $ref: '#/components/schemas/CapaConditions',
                    },
                  },
                },
              },
            },
          },
          default: {
            $ref: '#/components/responses/ErrorResponse',
          },
        },
      },
    },
    '/clusters/{managementCluster}/{namespace}/{name}/workload-access': {
      get: {
        operationId: 'getClusterWorkloadAccess',
        description:
          "Workload access across accounts (docs/contracts.md §4.1): the IAM roles the EKS cluster's service accounts can assume through IRSA or EKS Pod Identity (with role chaining into other accounts), each with its checks and verdict. A cluster that is not EKS answers 200 with applicable false, a reason and no roles. Roles in accounts the caller may not read are left out and counted in hiddenRoleCount.",
        parameters: [
          {
            name: 'managementCluster',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            name: 'namespace',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            name: 'name',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
            },
          },
        ],
        responses: {
          '200': {
            description: "The cluster's workload access.",
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: [
                    'managementCluster',
                    'namespace',
                    'name',
                    'applicable',
                    'verdict',
                    'roles',
                  ],
                  properties: {
                    managementCluster: {
                      type: 'string',
                    },
                    namespace: {
                      type: 'string',
                    },
                    name: {
                      type: 'string',
                    },
                    applicable: {
                      type: 'boolean',
                    },
                    reason: {
                      type: 'string',
                    },
                    oidcIssuer: {
                      type: 'string',
                    },
                    clusterArn: {
                      type: 'string',
                    },
                    verdict: {
                      type: 'string',
                    },
                    hiddenRoleCount: {
                      type: 'integer',
                    },
                    roles: {
                      type: 'array',
                      items: {
                        type: 'object',
                        required: [
                          'mechanism',
                          'serviceAccount',
                          'roleArn',
                          'verdict',
                          'checks',
                        ],
                        properties: {
                          mechanism: {
                            type: 'string',
                            enum: ['irsa', 'pod-identity'],
                          },
                          serviceAccount: {
                            type: 'object',
                          },
                          roleArn: {
                            type: 'string',
                          },
                          viaRoleArn: {
                            type: 'string',
                          },
                          accountId: {
                            type: 'string',
                          },
                          verdict: {
                            type: 'string',
                          },
                          checks: {
                            type: 'array',
                            items: {
                              type: 'object',
                            },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
          default: {
            $ref: '#/components/responses/ErrorResponse',
          },
        },
      },
    },
    '/identities/{managementCluster}/{name}/chain': {
      get: {
        operationId: 'getIdentityChain',
        description:
          "An identity's resolved chain, link by link, with its report.",
        parameters: [
          {
            name: 'managementCluster',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            name: 'name',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            name: 'kind',
            in: 'query',
            required: false,
            schema: {
              type: 'string',
              enum: [
                'AWSClusterRoleIdentity',
                'AWSClusterControllerIdentity',
                'AWSClusterStaticIdentity',
              ],
            },
          },
        ],
        responses: {
          '200': {
            description: 'The chain.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['identity', 'chain'],
                  properties: {
                    identity: {
                      type: 'object',
                    },
                    chain: {
                      type: 'array',
                      items: {
                        type: 'object',
                      },
                    },
                    controllerPrincipalArn: {
                      type: 'string',
                      description:
                        "The principal CAPA's controllers run as on this management cluster, whose credentials a chain rooted in the controller identity starts from.",
                    },
                    controllerAccountId: {
                      type: 'string',
                    },
                  },
                },
              },
            },
          },
          default: {
            $ref: '#/components/responses/ErrorResponse',
          },
        },
      },
    },
    '/onboarding-gaps': {
      get: {
        operationId: 'getOnboardingGaps',
        description:
          "The fleet reconciled with AWS Organizations (live `organizations:ListAccounts` when gathered, else the\nsnapshot file fleet.yaml's `organization` names). `accountsWithoutIdentity`: active accounts (from\nOrganizations, or listed in config) that no identity targets and no management cluster runs in; whether\nan account is targeted is decided on the whole fleet. An account known only from Organizations has no\nowner, tier or catalog entity: it is listed only to callers whose policy allows `capa.account.read` on it\nas such (an unconditional allow, or conditions like `IS_KIND account` / `IN_ACCOUNT`) and, with catalog\nvisibility on, whose catalog read is unconditional. `identitiesToUnknownAccounts`: the identities the\ncaller may read whose `account-known` check fails (account suspended or closing) or warns (unknown).\n",
        parameters: [
          {
            name: 'ou',
            in: 'query',
            required: false,
            description:
              "An OU path from the root (the OU and below), or one OU's name.",
            schema: {
              type: 'string',
              maxLength: 1000,
            },
          },
          {
            name: 'tag',
            in: 'query',
            required: false,
            description:
              '`key` or `key=value`; repeat for several (all must match).',
            schema: {
              type: 'array',
              items: {
                type: 'string',
                maxLength: 300,
              },
            },
          },
        ],
        responses: {
          '200': {
            description: 'Onboarding gaps.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: [
                    'accountsWithoutIdentity',
                    'identitiesToUnknownAccounts',
                    'organization',
                    'filters',
                    'generatedAt',
                  ],
                  properties: {
                    accountsWithoutIdentity: {
                      type: 'array',
                      items: {
                        type: 'object',
                        required: ['accountId', 'tags', 'sources'],
                        properties: {
                          accountId: {
                            type: 'string',
                          },
                          name: {
                            type: 'string',
                          },
                          email: {
                            type: 'string',
                          },
                          status: {
                            type: 'string',
                          },
                          ouPath: {
                            type: 'string',
                          },
                          tags: {
                            type: 'object',
                          },
                          tier: {
                            type: 'string',
                          },
                          owner: {
                            type: 'string',
                          },
                          sources: {
                            type: 'array',
                            items: {
                              type: 'string',
                            },
                          },
                        },
                      },
                    },
                    identitiesToUnknownAccounts: {
                      type: 'array',
                      items: {
                        type: 'object',
                        required: [
                          'managementCluster',
                          'kind',
                          'name',
                          'accountId',
                          'reason',
                          'message',
                          'verdict',
                        ],
                        properties: {
                          managementCluster: {
                            type: 'string',
                          },
                          kind: {
                            type: 'string',
                          },
                          name: {
                            type: 'string',
                          },
                          roleArn: {
                            type: 'string',
                          },
                          accountId: {
                            type: 'string',
                          },
                          accountName: {
                            type: 'string',
                          },
                          accountStatus: {
                            type: 'string',
                          },
                          ouPath: {
                            type: 'string',
                          },
                          reason: {
                            type: 'string',
                            enum: ['inactive', 'unknown'],
                          },
                          message: {
                            type: 'string',
                          },
                          verdict: {
                            type: 'string',
                          },
                          clusterCount: {
                            type: 'integer',
                          },
                        },
                      },
                    },
                    organization: {
                      type: 'object',
                      properties: {
                        source: {
                          type: 'string',
                        },
                        accountCount: {
                          type: 'integer',
                        },
                      },
                    },
                    filters: {
                      type: 'object',
                      properties: {
                        ouPaths: {
                          type: 'array',
                          items: {
                            type: 'string',
                          },
                        },
                        tags: {
                          type: 'array',
                          items: {
                            type: 'string',
                          },
                        },
                      },
                    },
                    generatedAt: {
                      type: 'string',
                    },
                  },
                },
              },
            },
          },
          default: {
            $ref: '#/components/responses/ErrorResponse',
          },
        },
      },
    },
    '/trust-map': {
      get: {
        operationId: 'getTrustMap',
        description:
          'What the fleet trust map draws, for what the caller may read: management clusters (stale when their last\nread failed), the identities they hold (verdict, failing and warning check ids, clusters using them) and\nthe accounts those reach (verdict, Organizations status).\n',
        responses: {
          '200': {
            description: 'The trust map.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: [
                    'managementClusters',
                    'identities',
                    'accounts',
                    'generatedAt',
                  ],
                  properties: {
                    managementClusters: {
                      type: 'array',
                      items: {
                        type: 'object',
                      },
                    },
                    identities: {
                      type: 'array',
                      items: {
                        type: 'object',
                      },
                    },
                    accounts: {
                      type: 'array',
                      items: {
                        type: 'object',
                      },
                    },
                    generatedAt: {
                      type: 'string',
                    },
                  },
                },
              },
            },
          },
          default: {
            $ref: '#/components/responses/ErrorResponse',
          },
        },
      },
    },
  },
  components: {
    parameters: {
      accountId: {
        name: 'accountId',
        in: 'path',
        required: true,
        schema: {
          type: 'string',
          pattern: '^[0-9]{12}$',
        },
      },
    },
    responses: {
      ErrorResponse: {
        description: 'An error.',
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/Error',
            },
          },
        },
      },
    },
    schemas: {
      CatalogFleetView: {
        type: 'object',
        required: [
          'generatedAt',
          'sources',
          'accounts',
          'identities',
          'clusters',
        ],
        properties: {
          generatedAt: {
            type: 'string',
          },
          sources: {
            type: 'array',
            items: {
              type: 'object',
            },
          },
          accounts: {
            type: 'array',
            items: {
              type: 'object',
            },
          },
          identities: {
            type: 'array',
            items: {
              type: 'object',
            },
          },
          clusters: {
            type: 'array',
            items: {
              type: 'object',
            },
          },
        },
      },
      CapaCondition: {
        type: 'object',
        required: ['type', 'status', 'source'],
        properties: {
          type: {
            type: 'string',
            description:
              'e.g. PrincipalUsageAllowed, PrincipalCredentialRetrieved, VpcReady',
          },
          status: {
            type: 'string',
            description: 'True, False or Unknown',
          },
          reason: {
            type: 'string',
          },
          message: {
            type: 'string',
          },
          severity: {
            type: 'string',
          },
          lastTransitionTime: {
            type: 'string',
            format: 'date-time',
          },
          observedGeneration: {
            type: 'integer',
          },
          source: {
            type: 'string',
            enum: [
              'status.conditions',
              'status.v1beta2.conditions',
              'status.deprecated.v1beta1.conditions',
            ],
          },
          stale: {
            type: 'string',
            description:
              'Why the condition may not reflect the current objects.',
          },
        },
      },
      CapaConditions: {
        type: 'object',
        required: ['object', 'conditions', 'agreement', 'stale'],
        properties: {
          object: {
            type: 'object',
            required: ['apiVersion', 'kind', 'name'],
            properties: {
              apiVersion: {
                type: 'string',
              },
              kind: {
                type: 'string',
              },
              namespace: {
                type: 'string',
              },
              name: {
                type: 'string',
              },
            },
          },
          generation: {
            type: 'integer',
          },
          observedGeneration: {
            type: 'integer',
          },
          lastChange: {
            type: 'string',
            format: 'date-time',
          },
          conditions: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/CapaCondition',
            },
          },
          agreement: {
            type: 'string',
            enum: [
              'agree',
              'capa-allows-we-broken',
              'capa-refuses-we-allow',
              'no-capa-word',
            ],
          },
          disagreement: {
            type: 'string',
          },
          stale: {
            type: 'boolean',
          },
        },
      },
      ItemsResponse: {
        type: 'object',
        required: ['items'],
        properties: {
          items: {
            type: 'array',
            items: {
              type: 'object',
            },
          },
        },
      },
      ReachabilityChain: {
        type: 'object',
        description:
          'One identity chain landing in the account, judged by its reachability checks (every check of the identity except namespace-allowed).',
        required: [
          'managementCluster',
          'kind',
          'name',
          'verdict',
          'failing',
          'warning',
          'clusterCount',
        ],
        properties: {
          managementCluster: {
            type: 'string',
          },
          kind: {
            type: 'string',
          },
          name: {
            type: 'string',
          },
          verdict: {
            $ref: '#/components/schemas/Verdict',
          },
          failing: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
          warning: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
          clusterCount: {
            type: 'integer',
          },
        },
      },
      AccountReachability: {
        type: 'object',
        required: ['verdict', 'chains'],
        properties: {
          verdict: {
            $ref: '#/components/schemas/Verdict',
          },
          chains: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/ReachabilityChain',
            },
          },
        },
      },
      ClusterProblem: {
        type: 'object',
        description:
          "A cluster of the account whose own checks (namespace-allowed, its identityRef, its manifests' api-version, CAPI Operator static credentials) fail or warn.",
        required: [
          'managementCluster',
          'namespace',
          'name',
          'identityRef',
          'verdict',
          'checks',
        ],
        properties: {
          managementCluster: {
            type: 'string',
          },
          namespace: {
            type: 'string',
          },
          name: {
            type: 'string',
          },
          identityRef: {
            type: 'object',
            required: ['kind', 'name'],
            properties: {
              kind: {
                type: 'string',
              },
              name: {
                type: 'string',
              },
            },
          },
          verdict: {
            $ref: '#/components/schemas/Verdict',
          },
          checks: {
            type: 'array',
            items: {
              type: 'object',
              required: ['id', 'status', 'message'],
              properties: {
                id: {
                  type: 'string',
                },
                status: {
                  type: 'string',
                  enum: ['pass', 'warn', 'fail', 'skip'],
                },
                message: {
                  type: 'string',
                },
              },
            },
          },
        },
      },
      NamespaceCandidate: {
        type: 'object',
        required: [
          'managementCluster',
          'kind',
          'name',
          'admits',
          'reasons',
          'reachability',
        ],
        properties: {
          managementCluster: {
            type: 'string',
          },
          kind: {
            type: 'string',
          },
          name: {
            type: 'string',
          },
          admits: {
            type: 'string',
            enum: ['yes', 'no', 'unknown'],
          },
          reasons: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
          reachability: {
            $ref: '#/components/schemas/Verdict',
          },
        },
      },
      NamespaceReach: {
        type: 'object',
        required: ['namespace', 'usable', 'candidates', 'message'],
        properties: {
          namespace: {
            type: 'string',
          },
          managementCluster: {
            type: 'string',
          },
          usable: {
            type: 'boolean',
          },
          identity: {
            $ref: '#/components/schemas/NamespaceCandidate',
          },
          candidates: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/NamespaceCandidate',
            },
          },
          message: {
            type: 'string',
          },
        },
      },
      Verdict: {
        type: 'string',
        enum: ['broken', 'degraded', 'trusted', 'configured', 'unknown'],
      },
      AccountSummary: {
        type: 'object',
        required: ['accountId', 'verdict'],
        properties: {
          accountId: {
            type: 'string',
          },
          verdict: {
            $ref: '#/components/schemas/Verdict',
          },
          reachability: {
            $ref: '#/components/schemas/AccountReachability',
          },
          clusterProblemCount: {
            type: 'integer',
          },
          forNamespace: {
            $ref: '#/components/schemas/NamespaceReach',
          },
        },
      },
      AccountReport: {
        type: 'object',
        required: ['accountId', 'verdict', 'checks'],
        properties: {
          accountId: {
            type: 'string',
          },
          verdict: {
            $ref: '#/components/schemas/Verdict',
          },
          checks: {
            type: 'array',
            items: {
              type: 'object',
            },
          },
          reachability: {
            $ref: '#/components/schemas/AccountReachability',
          },
          clusterProblems: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/ClusterProblem',
            },
          },
          clusterProblemCount: {
            type: 'integer',
          },
        },
      },
      AccountTrustResponse: {
        type: 'object',
        required: [
          'account',
          'clusters',
          'identities',
          'generatedAt',
          'live',
          'stale',
        ],
        properties: {
          account: {
            $ref: '#/components/schemas/AccountReport',
          },
          clusters: {
            type: 'array',
            items: {
              type: 'object',
            },
          },
          identities: {
            type: 'array',
            items: {
              type: 'object',
            },
          },
          generatedAt: {
            type: 'string',
          },
          live: {
            type: 'boolean',
          },
          stale: {
            type: 'boolean',
          },
          notices: {
            type: 'array',
            description:
              'Only in the answer of POST .../trust/verify. What the verification could not do (AWS credentials that are configured but refused), in words.',
            items: {
              type: 'string',
            },
          },
        },
      },
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['name', 'message'],
            properties: {
              name: {
                type: 'string',
              },
              message: {
                type: 'string',
              },
            },
          },
          response: {
            type: 'object',
            properties: {
              statusCode: {
                type: 'integer',
              },
            },
          },
        },
      },
    },
  },
} as const;
