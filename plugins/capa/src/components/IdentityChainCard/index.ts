export { IdentityChainCard } from './IdentityChainCard';
export { ChainView } from './ChainView';
