import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { MantineProvider } from '@mantine/core';
import '@mantine/core/styles.css';
import './styles.css';
import { App } from './App';
import { cssVariablesResolver, theme } from './theme';
import { createTransport } from './transport';
import { TransportContext } from './transport/context';
import { bindTransport } from './stores/desk-store';

const transport = createTransport();
bindTransport(transport);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="dark">
      <TransportContext.Provider value={transport}>
        <App />
      </TransportContext.Provider>
    </MantineProvider>
  </StrictMode>,
);
