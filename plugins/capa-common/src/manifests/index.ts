export { parseManifests, envelopeProblem } from './parseManifests';
export type { ParsedManifests } from './parseManifests';
export { dropDuplicateObjects } from './duplicates';
