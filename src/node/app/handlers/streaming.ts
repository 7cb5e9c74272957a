/**
 * Streaming: Start / Stop / Restart. Each answers at once with the state after the request was
 * taken (Start and Stop complete in the background; health events tell how it went).
 */
import type { HandlersFor } from '../commands';

export interface StreamingPort {
  isStreaming(): boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function streamingHandlers(port: StreamingPort): HandlersFor<'stream.start' | 'stream.stop' | 'stream.restart'> {
  return {
    'stream.start': () => {
      void port.start();
      return { streaming: port.isStreaming() };
    },
    'stream.stop': () => {
      void port.stop();
      return { streaming: port.isStreaming() };
    },
    'stream.restart': () => {
      if (port.isStreaming()) void port.stop();
      void port.start();
      return { streaming: port.isStreaming() };
    },
  };
}
