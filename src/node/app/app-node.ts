/**
 * A node_event as the application services hand it to the desk (the order path's reconciler, the
 * monitoring cycle, the strategy service): the desk gives it its execution id (and returns it) and
 * puts it in the event history (Events page).
 */
export interface AppNode {
  /** The execution this one belongs to (null: the desk supplies its current flow). */
  parent: string | null;
  node_type: string;
  node_id: string;
  node_name: string;
  action: string;
  status: 'started' | 'completed' | 'failed' | 'info';
  message: string;
  details: { [k: string]: string | number | boolean | null | string[] };
}
