-- craft serve: coordinated disclosure intake (issue 7, item 1): reports
-- sent through the public report page or API, the messages exchanged with
-- the reporter on the secret status link, and the notifications a later
-- notifier delivers to the security officers. Portable SQL for SQLite and
-- PostgreSQL, as in 00001: TEXT ids, BIGINT Unix-nanosecond times.
--
-- Report contents (description, version, contact, messages) live only in
-- these tables: never in the audit log, the logs or notifications.

-- +goose Up
-- The last case number handed out per year ("CRAFT-2026-0001"): an upsert
-- on this row serialises concurrent reports on both engines.
CREATE TABLE report_counters (
    year BIGINT PRIMARY KEY,
    last BIGINT NOT NULL
);

CREATE TABLE reports (
    id                TEXT PRIMARY KEY,
    reference         TEXT NOT NULL UNIQUE,
    -- NULL when the reporter named no product craft knows; product_name
    -- then holds their free text.
    product_id        TEXT REFERENCES products (id) ON DELETE SET NULL,
    product_name      TEXT NOT NULL DEFAULT '',
    version           TEXT NOT NULL DEFAULT '',
    title             TEXT NOT NULL DEFAULT '',
    description       TEXT NOT NULL,
    contact           TEXT NOT NULL DEFAULT '',
    -- SHA-256 (hex) of the reporter's status token; never the token.
    status_token_hash TEXT NOT NULL UNIQUE,
    state             TEXT NOT NULL DEFAULT 'new',
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX reports_product ON reports (product_id);
CREATE INDEX reports_created ON reports (created_at);

-- The thread between the reporter and the security officers. author is
-- 'reporter' or 'user:<id>'.
CREATE TABLE report_messages (
    report_id  TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    seq        BIGINT NOT NULL,
    author     TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (report_id, seq)
);

-- Notifications waiting for delivery. subject is a fixed sentence such as
-- "new report CRAFT-2026-0001 on product X", never report contents.
CREATE TABLE notifications (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    product_id   TEXT REFERENCES products (id) ON DELETE SET NULL,
    subject      TEXT NOT NULL,
    reference    TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    delivered_at BIGINT
);
CREATE INDEX notifications_pending ON notifications (delivered_at);
