-- craft serve: notification delivery (issue 6, item 3, second half):
-- webhooks with their deliveries and attempts, per-user e-mail with
-- preferences and the daily digest, and the end-of-life events already
-- raised. Portable SQL for SQLite and PostgreSQL, as in 00001: TEXT ids,
-- BIGINT Unix-nanosecond times, INTEGER 0/1 booleans, BYTEA sealed bytes.
--
-- State lives here so that a restart loses nothing and sends nothing twice:
-- a notification is fanned out (deliveries and mail rows written, then
-- notifications.delivered_at set) in one transaction.

-- +goose Up
CREATE TABLE webhooks (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL DEFAULT '',
    url           TEXT NOT NULL,
    -- The "whsec_…" secret sealed with the server key (AES-256-GCM,
    -- bound to the webhook id); never stored in clear.
    secret_sealed BYTEA NOT NULL,
    -- Notification kinds and product ids, newline-separated; '' means all.
    kinds         TEXT NOT NULL DEFAULT '',
    products      TEXT NOT NULL DEFAULT '',
    enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- One row per (webhook, notification): the unique key keeps a fan-out
-- that runs twice from sending twice.
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    webhook_id      TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    -- NULL for a test delivery.
    notification_id TEXT REFERENCES notifications (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    -- The JSON body, fixed at fan-out so every retry sends the same bytes.
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (webhook_id, notification_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);

-- The delivery log: one row per attempt.
CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt     BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    status      BIGINT NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    duration_ms BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (delivery_id, attempt)
);

-- A user's choice per group (findings, kev, eol, reports) and product;
-- product_id '' is the user's choice for every product without its own.
-- Absent rows mean the role's default (docs/notifications.md).
CREATE TABLE notification_preferences (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_id TEXT NOT NULL DEFAULT '',
    grp        TEXT NOT NULL CHECK (grp IN ('findings', 'kev', 'eol', 'reports')),
    mode       TEXT NOT NULL CHECK (mode IN ('immediate', 'digest', 'off')),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, product_id, grp)
);

-- E-mail owed to a user for a notification: sent_at is set when an
-- immediate mail went out or the digest that carried it.
CREATE TABLE notification_mails (
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    notification_id TEXT NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    mode            TEXT NOT NULL CHECK (mode IN ('immediate', 'digest')),
    created_at      BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    sent_at         BIGINT,
    error           TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (user_id, notification_id)
);
CREATE INDEX notification_mails_pending ON notification_mails (sent_at, mode);

-- One row per user and UTC day whose digest was sent (or claimed): the
-- primary key makes the digest once a day even with two processes.
CREATE TABLE notification_digests (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day     TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    items   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, day)
);

-- Components of a release already reported as past end of life: an EOL
-- event is raised once, never on later runs.
CREATE TABLE eol_events (
    release_id   TEXT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    component_id TEXT NOT NULL,
    cycle        TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (release_id, component_id, cycle)
);

CREATE INDEX notifications_created ON notifications (created_at, id);
