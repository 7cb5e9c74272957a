/**
 * The Electron IPC channel names, shared by the main process and the preload (and nothing else:
 * the renderer only sees `window.api`).
 */
export const IPC = {
  /** renderer → main (invoke): a contract command; args (name, payload); replies a CommandOutcome. */
  command: 'desk:command',
  /** renderer → main (send): please send a fresh snapshot. */
  resync: 'desk:resync',
  /** main → renderer: one DeskEvent. */
  event: 'desk:event',
  /** main → renderer: a NavigationRequest (a notification was clicked). */
  navigate: 'shell:navigate',
} as const;
