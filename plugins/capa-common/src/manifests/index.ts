export { parseManifests, envelopeProblem } from './parseManifests';
export type { ParsedManifests } from './parseManifests';
