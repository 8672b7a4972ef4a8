export { CheckList, collectChecks } from './CheckList';
export type { CheckItem } from './CheckList';
export { EvidenceList } from './EvidenceList';
export { FixHint } from './FixHint';
