export { checkCapaConfig, CAPA_CONFIG_PACKAGES } from './checkCapaConfig';
