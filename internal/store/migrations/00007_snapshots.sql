-- craft serve: the portfolio dashboard (issue 6, item 5): one row per
-- product per UTC day with the open findings of the product's releases in
-- support, so the dashboard can draw the trend without re-reading history
-- (findings only hold the present). Portable SQL for SQLite and
-- PostgreSQL, as in 00001: TEXT ids, BIGINT Unix-nanosecond times; the day
-- is TEXT "2026-12-04" so it compares as a string on both engines.
--
-- The primary key (day, product_id) makes a snapshot idempotent: a second
-- process, or a later tick on the same day, updates today's row in place
-- (the row holds the day's latest counts), never adds one.

-- +goose Up
CREATE TABLE finding_snapshots (
    day        TEXT NOT NULL,
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    critical   BIGINT NOT NULL,
    high       BIGINT NOT NULL,
    medium     BIGINT NOT NULL,
    low        BIGINT NOT NULL,
    -- severity none or unknown
    other      BIGINT NOT NULL,
    -- KEV-listed (actively exploited), whatever the severity
    kev        BIGINT NOT NULL,
    taken_at   BIGINT NOT NULL,
    PRIMARY KEY (day, product_id)
);
CREATE INDEX finding_snapshots_product ON finding_snapshots (product_id, day);

-- The open findings of releases in support per product and component
-- version, as the last snapshot tick counted them: the dashboard's "most
-- widespread vulnerable components" sums these few rows instead of
-- grouping a million findings on every page view. Replaced per product by
-- each tick, in the transaction that writes the product's snapshot row.
CREATE TABLE component_stats (
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    version    TEXT NOT NULL,
    releases   BIGINT NOT NULL,
    open_count BIGINT NOT NULL,
    kev        BIGINT NOT NULL,
    PRIMARY KEY (product_id, name, version)
);

-- The same over every product, ranked as the dashboard lists them: an
-- administrator's dashboard (all products) reads the first rows of this
-- index instead of summing component_stats.
CREATE TABLE component_stats_all (
    name       TEXT NOT NULL,
    version    TEXT NOT NULL,
    releases   BIGINT NOT NULL,
    open_count BIGINT NOT NULL,
    kev        BIGINT NOT NULL,
    PRIMARY KEY (name, version)
);
CREATE INDEX component_stats_all_rank ON component_stats_all (releases DESC, open_count DESC, name, version);

-- The snapshot tick's aggregates read only these columns of open findings:
-- a covering index lets both engines count without touching the table.
CREATE INDEX findings_release_open ON findings (release_id, status, severity_level, kev_date_added);

-- Portfolio-wide component search by version first (the selective part of
-- "log4j-core 2.14.1"); the name is checked on the index entry.
CREATE INDEX release_components_version ON release_components (version, name);
