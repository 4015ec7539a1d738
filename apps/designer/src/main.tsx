// Global styles first, so that component styles loaded later win over them.
import './styles/tokens.css';
import './styles/base.css';
import './styles/components.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router';
import { createAppRouter } from './app-routes.js';
import { SessionProvider } from './auth/session-context.js';
import { I18nProvider } from './i18n/i18n-context.js';
import { ToastProvider } from './ui/toast.js';

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');

const router = createAppRouter();

createRoot(root).render(
  <StrictMode>
    <I18nProvider>
      <ToastProvider>
        <SessionProvider>
          <RouterProvider router={router} />
        </SessionProvider>
      </ToastProvider>
    </I18nProvider>
  </StrictMode>,
);
