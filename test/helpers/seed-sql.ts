/**
 * The seed's six common queries (the spec's SQL text, verbatim except for the placeholder values): the
 * reference that test/market/queries.test.ts and bench/queries.ts compare src/market/queries.ts with.
 */
export const SEED_SQL = {
  latestCandles: `SELECT ts, open, high, low, close, volume
FROM candles
WHERE asset_id = $1
  AND interval = $2
ORDER BY ts DESC
LIMIT $3`,
  latestIndicators: `SELECT 
    a.symbol,
    i.name,
    i.value,
    i.ts
FROM indicators i
JOIN assets a ON a.id = i.asset_id
WHERE i.ts >= NOW() - INTERVAL '7 days'
ORDER BY a.symbol, i.ts DESC`,
  activeSignals: `SELECT 
    a.symbol,
    s.signal_type,
    s.strength,
    s.confidence,
    s.rationale,
    s.ts
FROM signals s
JOIN assets a ON a.id = s.asset_id
WHERE s.is_active = 'true'
ORDER BY s.ts DESC`,
  latestSignals: `WITH ranked_signals AS (
    SELECT 
        s.*,
        a.symbol,
        ROW_NUMBER() OVER (PARTITION BY s.asset_id ORDER BY s.ts DESC) as rn
    FROM signals s
    JOIN assets a ON a.id = s.asset_id
    WHERE s.is_active = 'true'
)
SELECT 
    symbol,
    signal_type,
    strength,
    confidence,
    rationale,
    ts
FROM ranked_signals
WHERE rn = 1
ORDER BY ts DESC`,
  priceStats: `SELECT 
    a.symbol,
    COUNT(*) as candle_count,
    MIN(c.ts) as first_date,
    MAX(c.ts) as last_date,
    MIN(c.low) as all_time_low,
    MAX(c.high) as all_time_high,
    AVG(c.close) as avg_price
FROM candles c
JOIN assets a ON a.id = c.asset_id
WHERE c.interval = '1d'
GROUP BY a.symbol
ORDER BY a.symbol`,
  priceChanges: `WITH latest_prices AS (
    SELECT DISTINCT ON (asset_id)
        asset_id,
        close as current_price,
        ts as current_date
    FROM candles
    WHERE interval = '1d'
    ORDER BY asset_id, ts DESC
),
previous_prices AS (
    SELECT DISTINCT ON (c.asset_id)
        c.asset_id,
        c.close as previous_price
    FROM candles c
    JOIN latest_prices lp ON lp.asset_id = c.asset_id
    WHERE c.interval = '1d'
        AND c.ts < lp.current_date
    ORDER BY c.asset_id, c.ts DESC
)
SELECT 
    a.symbol,
    lp.current_price,
    pp.previous_price,
    ROUND(((lp.current_price - pp.previous_price) / pp.previous_price * 100)::numeric, 2) as pct_change
FROM latest_prices lp
JOIN previous_prices pp ON pp.asset_id = lp.asset_id
JOIN assets a ON a.id = lp.asset_id
ORDER BY pct_change DESC`,
} as const;
