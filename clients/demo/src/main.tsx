// The demo's entry point: the app, in French unless the visitor chose English.

import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { I18nProvider } from './i18n.js';
import './styles/app.css';

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <I18nProvider>
      <App />
    </I18nProvider>,
  );
