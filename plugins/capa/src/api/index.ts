export { capaApiRef } from './CapaApi';
export type { CapaApi } from './CapaApi';
export { CapaClient } from './CapaClient';
