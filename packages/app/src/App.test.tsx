import { render } from '@testing-library/react';
import App from './App';

describe('App', () => {
  it('renders the sign-in page with the configured title and the guest provider', async () => {
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

    // Before sign-in the app shows its sign-in page: the title from the config above (so the config was
    // read) and the guest provider (frontend-defaults' sign-in page, as the app configures none).
    expect(
      await rendered.findByRole(
        'heading',
        { level: 1, name: 'Test' },
        { timeout: 30_000 },
      ),
    ).toBeInTheDocument();
    expect(rendered.getByText(/Enter as a Guest User\./)).toBeInTheDocument();
    expect(rendered.getByRole('button', { name: 'Enter' })).toBeEnabled();
  }, 60_000);
});
