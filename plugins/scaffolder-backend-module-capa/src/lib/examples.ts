import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/** The step of a template that runs one action, as its documented examples show it. */
export interface ExampleStep {
  id: string;
  action: string;
  name: string;
}

/** One documented use of an action: its input, and a step name or an `if` when the example needs them. */
export interface ActionExample {
  description: string;
  input: Record<string, unknown>;
  name?: string;
  if?: string;
}

/**
 * The examples the scaffolder lists under an action: each a template of one step running it, serialised as
 * the YAML a template author copies (`*.examples.test.ts` runs every one).
 */
export function stepExamples(
  step: ExampleStep,
  examples: ActionExample[],
): TemplateExample[] {
  return examples.map(e => ({
    description: e.description,
    example: yaml.stringify({
      steps: [
        {
          id: step.id,
          ...(e.if ? { if: e.if } : {}),
          action: step.action,
          name: e.name ?? step.name,
          input: e.input,
        },
      ],
    }),
  }));
}
