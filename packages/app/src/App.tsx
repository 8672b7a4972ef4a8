import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import { capaScaffolderFormFieldsModule } from '@capa-portal/plugin-capa/alpha';
import { navModule } from './modules/nav';

// Plugins in package.json are discovered (app.packages: all); modules for other plugins are listed here.
export default createApp({
  features: [catalogPlugin, navModule, capaScaffolderFormFieldsModule],
});
