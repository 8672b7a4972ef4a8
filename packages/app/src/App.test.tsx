import { render } from '@testing-library/react';
import App from './App';

describe('App', () => {
  it('renders the app shell with the CAPA page in its sidebar', async () => {
    process.env = {
      NODE_ENV: 'test',
      APP_CONFIG: [
        {
          data: {
            app: { title: 'Test' },
            backend: { baseUrl: 'http://localhost:7007' },
            techdocs: {
              storageUrl: 'http://localhost:7007/api/techdocs/static/docs',
            },
          },
          context: 'test',
        },
      ] as any,
    };

    const rendered = render(App.createRoot());

    // The sidebar (modules/nav) takes the capa plugin's page by id: its nav item, titled by the plugin, links
    // to /capa. It only appears once the app has loaded its features and rendered its layout.
    const link = await rendered.findByRole(
      'link',
      { name: /^CAPA$/ },
      { timeout: 30_000 },
    );
    expect(link).toHaveAttribute('href', '/capa');
  }, 60_000);
});
