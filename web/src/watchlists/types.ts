/** The watchlist shapes the page reads from the API. */
export interface Watchlist {
  id: string;
  name: string;
  color: string | null;
  icon: string | null;
  is_default: boolean;
  item_count: number;
}
export interface Item {
  id: string;
  asset_id: string;
  symbol: string;
  position: number;
  price_alert_high: number | null;
  price_alert_low: number | null;
}
export interface AlertRow {
  id: string;
  symbol: string;
  direction: string;
  threshold: number;
  price: number;
  triggered_at: string;
}
/** Runs a change against the API, shows its error, and reloads the lists. */
export type Act = (fn: () => Promise<unknown>) => Promise<void>;
