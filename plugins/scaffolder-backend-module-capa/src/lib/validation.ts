/*
 * Input validation for the capa scaffolder actions. The scaffolder checks inputs against the JSON schema
 * generated from each action's zod schema, but actions are also called directly (tests, other modules) and
 * JSON schema cannot express every rule, so every handler validates its input here first and rejects it with
 * one InputError naming every bad field, before anything is written or applied.
 */
import { InputError } from '@backstage/errors';
import {
  EXTERNAL_ID_PATTERN,
  isAccountId,
  parseRoleArn,
} from '@capa-portal/plugin-capa-common';
import { MANAGEMENT_CLUSTER_NAME, MANAGEMENT_CLUSTER_NAME_TEXT } from './names';

/** AWS partitions CAPA supports. */
export const PARTITIONS = [
  'aws',
  'aws-cn',
  'aws-us-gov',
] as const satisfies readonly Partition[];
/** @public */
export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS1123_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** `eu-west-1`, `us-gov-west-1`, `cn-north-1`, `ap-southeast-5`, `il-central-1`. */
export const REGION =
  /^(af|ap|ca|cn|eu|il|me|mx|sa|us)(-gov|-iso|-isob)?-(north|south|east|west|central|northeast|northwest|southeast|southwest)-\d{1,2}$/;
/** `v1.33`, `1.34.2`. */
export const KUBERNETES_VERSION = /^v?1\.\d{1,3}(\.\d{1,3})?$/;
/** EC2 instance types: `m6i.xlarge`, `t3a.small`, `m7i-flex.large`, `u-6tb1.metal`, `g5.48xlarge`. */
export const INSTANCE_TYPE = /^[a-z][a-z0-9-]{0,15}\.[a-z0-9-]{1,24}$/;
/** Backstage entity refs: `group:default/platform-team`, `user:jane`, `payments`. */
export const ENTITY_REF =
  /^(?:[a-zA-Z][a-zA-Z0-9]*:)?(?:[a-z0-9][a-z0-9._-]{0,62}\/)?[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/;
/** AWS tag keys and values: letters, digits, spaces and `+ - = . _ : / @`. */
const AWS_TAG_CHARS = /^[\p{L}\p{N} +\-=._:/@]*$/u;
/** Workspace-relative paths we write: `clusters/team-a/web.yaml`. */
export const WORKSPACE_PATH = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/** Longest Kubernetes object / label-value name. */
export const MAX_NAME = 63;
/** EKS cluster names: 1..100 characters, `[0-9A-Za-z][A-Za-z0-9\-_]*`. */
export const MAX_EKS_CLUSTER_NAME = 100;
/** EKS node group names: 1..63 characters. */
export const MAX_EKS_NODEGROUP_NAME = 63;
/** IAM role names. */
export const MAX_ROLE_NAME = 64;

/** Things that must never reach a manifest, a shell or a template from user input, with what they are. */
const FORBIDDEN: Array<[RegExp, string]> = [
  [/[\r\n]/, 'a line break'],
  // eslint-disable-next-line no-control-regex
  [/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/, 'a control character'],
  [/^\s|\s$/, 'leading or trailing whitespace'],
  [/---|\.\.\./, 'a YAML document marker (--- or ...)'],
  [/\{\{|\}\}|\{%|%\}|\$\{/, 'template syntax ({{ }}, {% %}, ${ })'],
  [/`/, 'a backtick'],
  [/\$\(/, 'a command substitution ($()'],
  [/[;|&<>]/, 'a shell metacharacter (; | & < >)'],
  [/["'\\]/, 'a quote or backslash'],
  [/^[!&*%@?|>#-]/, 'a leading YAML indicator'],
];

/** Why a string is unsafe, or undefined. */
export function unsafeReason(value: string): string | undefined {
  for (const [re, what] of FORBIDDEN)
    if (re.test(value)) return `must not contain ${what}`;
  return undefined;
}

interface RequiredOption {
  required?: boolean;
}
interface RuleOptions extends RequiredOption {
  max?: number;
}

/** A pattern-checked string: required unless said otherwise, at most `max` characters, matching `pattern`. */
interface StringRule {
  required: boolean;
  max?: number;
  pattern: RegExp;
  /** What to say when the value does not match. */
  patternText: string;
}

/** The pattern-checked strings {@link FieldErrors} knows, by method. */
const RULES = {
  dnsLabel: {
    required: true,
    max: MAX_NAME,
    pattern: DNS1123_LABEL,
    patternText:
      "must be a DNS-1123 label: lowercase a-z, 0-9 and '-', starting and ending with a letter or digit",
  },
  dnsSubdomain: {
    required: true,
    max: 253,
    pattern: DNS1123_SUBDOMAIN,
    patternText:
      "must be a DNS-1123 subdomain: lowercase a-z, 0-9, '-' and '.'",
  },
  region: {
    required: true,
    max: 32,
    pattern: REGION,
    patternText:
      'is not an AWS region (like eu-west-1, us-gov-west-1, cn-north-1)',
  },
  kubernetesVersion: {
    required: true,
    max: 16,
    pattern: KUBERNETES_VERSION,
    patternText: 'is not a Kubernetes version (like v1.33 or 1.34.2)',
  },
  instanceType: {
    required: true,
    max: 40,
    pattern: INSTANCE_TYPE,
    patternText: 'is not an EC2 instance type (like m6i.xlarge)',
  },
  entityRef: {
    required: false,
    max: 200,
    pattern: ENTITY_REF,
    patternText:
      'is not a Backstage entity reference (like group:default/platform-team)',
  },
  managementCluster: {
    required: false,
    pattern: MANAGEMENT_CLUSTER_NAME,
    patternText: MANAGEMENT_CLUSTER_NAME_TEXT,
  },
  externalId: {
    required: false,
    pattern: EXTERNAL_ID_PATTERN,
    patternText:
      'must be 2..1224 characters of letters, digits and + = , . @ : / - _',
  },
} satisfies Record<string, StringRule>;

/** Collects field errors; `throwIfAny` raises one InputError that names every bad field. */
export class FieldErrors {
  readonly errors: Array<{ field: string; message: string }> = [];

  add(field: string, message: string): void {
    this.errors.push({ field, message });
  }

  get ok(): boolean {
    return this.errors.length === 0;
  }

  /** A required (or present) string: type, safety, then `rules`. Returns the value when it is usable. */
  string(
    field: string,
    value: unknown,
    options: {
      required?: boolean;
      max?: number;
      pattern?: RegExp;
      patternText?: string;
      min?: number;
    } = {},
  ): string | undefined {
    if (value === undefined || value === null || value === '') {
      if (options.required) this.add(field, 'is required');
      return undefined;
    }
    if (typeof value !== 'string') {
      this.add(field, `must be a string (got ${typeof value})`);
      return undefined;
    }
    const unsafe = unsafeReason(value);
    if (unsafe) {
      this.add(field, `${JSON.stringify(truncate(value))} ${unsafe}`);
      return undefined;
    }
    if (options.min !== undefined && value.length < options.min) {
      this.add(field, `must be at least ${options.min} characters`);
      return undefined;
    }
    if (options.max !== undefined && value.length > options.max) {
      this.add(
        field,
        `${JSON.stringify(truncate(value))} is ${
          value.length
        } characters; at most ${options.max} allowed`,
      );
      return undefined;
    }
    if (options.pattern && !options.pattern.test(value)) {
      this.add(
        field,
        `${JSON.stringify(truncate(value))} ${
          options.patternText ?? `must match ${options.pattern}`
        }`,
      );
      return undefined;
    }
    return value;
  }

  /** A string checked against one of {@link RULES}; `options` override the rule's defaults. */
  private rule(
    rule: StringRule,
    field: string,
    value: unknown,
    options: RuleOptions = {},
  ): string | undefined {
    return this.string(field, value, {
      required: options.required ?? rule.required,
      max: options.max ?? rule.max,
      pattern: rule.pattern,
      patternText: rule.patternText,
    });
  }

  /** A Kubernetes name (DNS-1123 label), at most `max` (63) characters. */
  dnsLabel(field: string, value: unknown, options: RuleOptions = {}) {
    return this.rule(RULES.dnsLabel, field, value, options);
  }

  /** A cluster-scoped object name (DNS-1123 subdomain). */
  dnsSubdomain(field: string, value: unknown, options: RuleOptions = {}) {
    return this.rule(RULES.dnsSubdomain, field, value, options);
  }

  accountId(
    field: string,
    value: unknown,
    options: { required?: boolean } = {},
  ): string | undefined {
    const v = this.string(field, value, { required: options.required ?? true });
    if (v === undefined) return undefined;
    if (!isAccountId(v)) {
      this.add(
        field,
        `${JSON.stringify(
          truncate(v),
        )} is not an AWS account id (exactly 12 digits)`,
      );
      return undefined;
    }
    return v;
  }

  region(field: string, value: unknown, options: RequiredOption = {}) {
    return this.rule(RULES.region, field, value, options);
  }

  kubernetesVersion(
    field: string,
    value: unknown,
    options: RequiredOption = {},
  ) {
    return this.rule(RULES.kubernetesVersion, field, value, options);
  }

  instanceType(field: string, value: unknown, options: RequiredOption = {}) {
    return this.rule(RULES.instanceType, field, value, options);
  }

  entityRef(field: string, value: unknown, options: RequiredOption = {}) {
    return this.rule(RULES.entityRef, field, value, options);
  }

  /** An IAM role ARN in a CAPA partition; `accountId` when given must match. */
  roleArn(
    field: string,
    value: unknown,
    options: { required?: boolean; accountId?: string } = {},
  ): string | undefined {
    const v = this.string(field, value, {
      required: options.required ?? true,
      max: 2048,
    });
    if (v === undefined) return undefined;
    const parsed = parseRoleArn(v);
    if (!parsed) {
      this.add(
        field,
        `${JSON.stringify(
          truncate(v),
        )} is not an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)`,
      );
      return undefined;
    }
    if (!(PARTITIONS as readonly string[]).includes(parsed.partition)) {
      this.add(
        field,
        `partition ${JSON.stringify(
          parsed.partition,
        )} is not one of ${PARTITIONS.join(', ')}`,
      );
      return undefined;
    }
    if (!isAccountId(parsed.accountId)) {
      this.add(
        field,
        `account ${JSON.stringify(
          parsed.accountId,
        )} of the ARN is not 12 digits`,
      );
      return undefined;
    }
    if (
      !/^[\w+=,.@-]{1,64}$/.test(parsed.name) ||
      !/^\/([\w+=,.@-]+\/)*$/.test(parsed.path)
    ) {
      this.add(
        field,
        `role name or path of ${JSON.stringify(
          truncate(v),
        )} has characters IAM does not allow`,
      );
      return undefined;
    }
    if (v.split(':')[3] !== '') {
      this.add(field, 'IAM ARNs have no region');
      return undefined;
    }
    if (options.accountId && parsed.accountId !== options.accountId) {
      this.add(
        field,
        `is in account ${parsed.accountId}, not ${options.accountId}`,
      );
      return undefined;
    }
    return v;
  }

  partition(field: string, value: unknown): Partition | undefined {
    return this.oneOf(field, value, PARTITIONS);
  }

  /** A management cluster name as configured (`mgmt-eu`). */
  managementCluster(
    field: string,
    value: unknown,
    options: RequiredOption = {},
  ) {
    return this.rule(RULES.managementCluster, field, value, options);
  }

  externalId(field: string, value: unknown): string | undefined {
    return this.rule(RULES.externalId, field, value);
  }

  /** An AWS tag map: keys 1..128, values 0..256, AWS's character set, no `aws:` prefix. */
  tags(
    field: string,
    value: unknown,
    options: {
      maxKeyLength?: number;
      maxValueLength?: number;
      allowEmptyValue?: boolean;
    } = {},
  ): Record<string, string> | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.add(field, 'must be a map of strings');
      return undefined;
    }
    const out: Record<string, string> = {};
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length > 50)
      this.add(field, `has ${entries.length} tags; AWS allows at most 50`);
    for (const [k, v] of entries) {
      const keyField = `${field}[${JSON.stringify(truncate(k))}]`;
      const key = this.string(`${field} key`, k, {
        required: true,
        max: options.maxKeyLength ?? 128,
      });
      if (key === undefined) continue;
      if (!this.awsTagChars(`${field} key`, key)) continue;
      if (/^aws:/i.test(key)) {
        this.add(
          `${field} key`,
          `${JSON.stringify(key)} uses the reserved aws: prefix`,
        );
        continue;
      }
      if (typeof v !== 'string') {
        this.add(keyField, 'must be a string');
        continue;
      }
      if (v === '' && options.allowEmptyValue === false) {
        this.add(keyField, 'must not be empty');
        continue;
      }
      const val =
        v === ''
          ? ''
          : this.string(keyField, v, { max: options.maxValueLength ?? 256 });
      if (val === undefined) continue;
      if (!this.awsTagChars(keyField, val)) continue;
      out[key] = val;
    }
    return out;
  }

  /** Whether `s` is of AWS's tag character set; when not, says so for `field`. */
  private awsTagChars(field: string, s: string): boolean {
    if (AWS_TAG_CHARS.test(s)) return true;
    this.add(
      field,
      `${JSON.stringify(
        truncate(s),
      )} has characters AWS tags do not allow (letters, digits, spaces, + - = . _ : / @)`,
    );
    return false;
  }

  /** A workspace-relative path (no `..`, no absolute paths). */
  workspacePath(field: string, value: unknown): string | undefined {
    const v = this.string(field, value, {
      max: 512,
      pattern: WORKSPACE_PATH,
      patternText: 'must be a relative path of letters, digits, . _ - and /',
    });
    if (v === undefined) return undefined;
    if (v.split('/').some(p => p === '..' || p === '.')) {
      this.add(field, 'must not contain . or .. segments');
      return undefined;
    }
    return v;
  }

  integer(
    field: string,
    value: unknown,
    options: { min?: number; max?: number; required?: boolean } = {},
  ): number | undefined {
    if (value === undefined || value === null) {
      if (options.required) this.add(field, 'is required');
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.add(field, `must be an integer (got ${JSON.stringify(value)})`);
      return undefined;
    }
    if (options.min !== undefined && value < options.min) {
      this.add(field, `must be at least ${options.min} (got ${value})`);
      return undefined;
    }
    if (options.max !== undefined && value > options.max) {
      this.add(field, `must be at most ${options.max} (got ${value})`);
      return undefined;
    }
    return value;
  }

  oneOf<T extends string>(
    field: string,
    value: unknown,
    allowed: readonly T[],
    options: { required?: boolean } = {},
  ): T | undefined {
    if (value === undefined || value === null || value === '') {
      if (options.required) this.add(field, 'is required');
      return undefined;
    }
    if (
      typeof value !== 'string' ||
      !(allowed as readonly string[]).includes(value)
    ) {
      this.add(
        field,
        `${JSON.stringify(
          typeof value === 'string' ? truncate(value) : value,
        )} is not one of ${allowed.join(', ')}`,
      );
      return undefined;
    }
    return value as T;
  }

  /** Throws one InputError naming every bad field. */
  throwIfAny(what: string): void {
    if (this.ok) return;
    const lines = this.errors.map(e => `${e.field}: ${e.message}`);
    throw new InputError(
      `${what}: ${lines.length} invalid input(s): ${lines.join('; ')}`,
    );
  }
}

function truncate(s: string, n = 80): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
