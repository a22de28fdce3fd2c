-- craft serve: vulnerability cases and the Article 14 reporting clocks
-- (issue 7, items 2 and 3). Portable SQL for SQLite and PostgreSQL, as in
-- 00001: TEXT ids, BIGINT Unix-nanosecond times (0 = not set), BIGINT 0/1
-- flags.
--
-- Case contents (title, description, notes, thread) are confidential:
-- they live in these tables only, never in the audit log, the logs or
-- notifications.

-- +goose Up
-- The last case number handed out per year ("CASE-2026-0001").
CREATE TABLE case_counters (
    year BIGINT PRIMARY KEY,
    last BIGINT NOT NULL
);

CREATE TABLE cases (
    id                   TEXT PRIMARY KEY,
    reference            TEXT NOT NULL UNIQUE,
    product_id           TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    title                TEXT NOT NULL,
    description          TEXT NOT NULL DEFAULT '',
    state                TEXT NOT NULL DEFAULT 'new',
    -- Release versions, newline-separated.
    affected_releases    TEXT NOT NULL DEFAULT '',
    fixed_in_release     TEXT NOT NULL DEFAULT '',
    cvss31_vector        TEXT NOT NULL DEFAULT '',
    -- Scores times ten (9.8 is 98); 0 without a vector.
    cvss31_score         BIGINT NOT NULL DEFAULT 0,
    cvss40_vector        TEXT NOT NULL DEFAULT '',
    cvss40_score         BIGINT NOT NULL DEFAULT 0,
    cve_id               TEXT NOT NULL DEFAULT '',
    -- Other IDs (GHSA-, EUVD-, ...), newline-separated.
    other_ids            TEXT NOT NULL DEFAULT '',
    embargo_until        BIGINT NOT NULL DEFAULT 0,
    exploited            BIGINT NOT NULL DEFAULT 0,
    exploited_aware_at   BIGINT NOT NULL DEFAULT 0,
    exploitation_note    TEXT NOT NULL DEFAULT '',
    incident             BIGINT NOT NULL DEFAULT 0,
    incident_aware_at    BIGINT NOT NULL DEFAULT 0,
    incident_occurred_at BIGINT NOT NULL DEFAULT 0,
    -- 'yes', 'no' or '' (not assessed).
    incident_malicious   TEXT NOT NULL DEFAULT '',
    measure_at           BIGINT NOT NULL DEFAULT 0,
    measure_note         TEXT NOT NULL DEFAULT '',
    -- 'report', 'finding' or 'manual'.
    source               TEXT NOT NULL CHECK (source IN ('report', 'finding', 'manual')),
    report_id            TEXT REFERENCES reports (id) ON DELETE SET NULL,
    finding_release      TEXT NOT NULL DEFAULT '',
    finding_vuln         TEXT NOT NULL DEFAULT '',
    finding_component    TEXT NOT NULL DEFAULT '',
    created_by           TEXT NOT NULL,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);
CREATE INDEX cases_product ON cases (product_id);
CREATE INDEX cases_created ON cases (created_at);
CREATE INDEX cases_clock ON cases (exploited, incident);

-- The history of a case: every change, by whom. summary is a fixed
-- sentence ("state new → triage"), never case contents; comment is the
-- officer's own text and as confidential as the case.
CREATE TABLE case_events (
    case_id    TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    seq        BIGINT NOT NULL,
    at         BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    summary    TEXT NOT NULL,
    comment    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (case_id, seq)
);

-- Article 14 reports submitted on ENISA's single reporting platform (or
-- another channel), recorded by hand: one per case and stage.
CREATE TABLE case_submissions (
    case_id      TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    stage        TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    channel      TEXT NOT NULL,
    reference    TEXT NOT NULL DEFAULT '',
    recorded_by  TEXT NOT NULL,
    recorded_at  BIGINT NOT NULL,
    PRIMARY KEY (case_id, stage)
);

-- Deadline reminders already sent (or passed over), so each goes once.
CREATE TABLE case_reminders (
    case_id   TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    stage     TEXT NOT NULL,
    threshold TEXT NOT NULL,
    sent_at   BIGINT NOT NULL,
    PRIMARY KEY (case_id, stage, threshold)
);
