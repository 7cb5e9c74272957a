/**
 * Component tests without a browser: a static render (react-dom/server) inside the app's Mantine
 * theme and a fake transport, and small helpers to find an element by its data-testid in the markup.
 */
import type { ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { MantineProvider } from '@mantine/core';
import type { CommandName, CommandOutcome, Transport } from '../../src/shared/contract';
import { TransportContext } from '../../src/renderer/src/transport/context';
import { cssVariablesResolver, theme } from '../../src/renderer/src/theme';

/** A transport that records calls and answers every command with `answer` (default: a failure). */
export function fakeTransport(answer: (name: CommandName, payload: unknown) => CommandOutcome = () => ({ ok: false, error: { code: 'failed', message: 'fake transport' } })): Transport & { calls: { name: string; payload: unknown }[] } {
  const calls: { name: string; payload: unknown }[] = [];
  return {
    calls,
    call: (name, payload) => {
      calls.push({ name, payload });
      return Promise.resolve(answer(name, payload) as never);
    },
    onEvent: () => () => {},
    onStatus: () => () => {},
    resync: () => {},
  };
}

export function render(element: ReactElement, transport: Transport = fakeTransport()): string {
  return renderToStaticMarkup(
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="dark">
      <TransportContext.Provider value={transport}>{element}</TransportContext.Provider>
    </MantineProvider>,
  );
}

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

/** The outer markup of the first element whose data-testid is `id` (null: none). */
export function byTestId(html: string, id: string): string | null {
  const open = new RegExp(`<([a-zA-Z][a-zA-Z0-9]*)\\b[^>]*\\bdata-testid="${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>`).exec(html);
  if (!open) return null;
  const start = open.index;
  if (VOID.has(open[1]!.toLowerCase()) || open[0].endsWith('/>')) return open[0];
  const tag = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(\/?)>/g;
  tag.lastIndex = start + open[0].length;
  let depth = 1;
  for (let m = tag.exec(html); m; m = tag.exec(html)) {
    const name = m[2]!.toLowerCase();
    if (VOID.has(name) || m[3] === '/') continue;
    depth += m[1] === '/' ? -1 : 1;
    if (depth === 0) return html.slice(start, m.index + m[0].length);
  }
  return html.slice(start);
}

/** Every data-testid that starts with `prefix`, in document order. */
export function testIdsStartingWith(html: string, prefix: string): string[] {
  return [...html.matchAll(/data-testid="([^"]*)"/g)].map((m) => m[1]!).filter((id) => id.startsWith(prefix));
}

/** The text of some markup: tags dropped, the usual entities decoded, spaces collapsed. */
export function textOf(html: string | null): string {
  if (html === null) return '';
  return html
    .replace(/<style[^>]*>[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

/** An attribute of an element's opening tag. */
export function attr(html: string | null, name: string): string | null {
  if (html === null) return null;
  const first = /^<[^>]*>/.exec(html)?.[0] ?? '';
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(first);
  if (m) return m[1]!;
  return new RegExp(`\\s${name}(?=[\\s>/])`).test(first) ? '' : null;
}
