/** What the alert routes answer (src/api/routes/alerts.ts, alert-rules.ts). */
export interface PriceAlert {
  watchlist_id: string;
  watchlist_name: string;
  item_id: string;
  asset_id: string;
  symbol: string;
  price_alert_high: number | null;
  price_alert_low: number | null;
  price_alert_enabled: boolean;
  last_fired_at: string | null;
  fired_count: number;
}

export interface Rule {
  id: string;
  symbol: string;
  interval: string;
  rule: string;
  enabled: boolean;
  last_ts: string | null;
  last_state: boolean | null;
}

export interface PriceFiring {
  id: string;
  watchlist_item_id: string | null;
  symbol: string;
  direction: 'above' | 'below';
  threshold: number;
  price: number;
  candle_ts: string;
  interval: string;
  triggered_at: string;
}

export interface RuleFiring {
  id: string;
  alert_id: string | null;
  symbol: string;
  interval: string;
  rule: string;
  candle_ts: string;
  price: number;
  values: Record<string, number | null>;
  triggered_at: string;
}
