import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import { navModule } from './modules/nav';

// Plugins in package.json are discovered (app.packages: all), @capa-portal/plugin-capa with its scaffolder form
// fields included; the app's own modules are listed here.
export default createApp({
  features: [catalogPlugin, navModule],
});
