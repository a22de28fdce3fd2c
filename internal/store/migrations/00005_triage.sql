-- craft serve: triage of findings with VEX statuses (issue 6, item 4).
-- Portable SQL for SQLite and PostgreSQL, as in 00001: TEXT ids, BIGINT
-- Unix-nanosecond times.
--
-- A decision is keyed by (release, vulnerability, component key), not by
-- the findings row: findings rows are replaced at every re-match and vanish
-- when a finding is no longer matched, but a decision must survive both.
-- The component key is the component's purl when it has one, else
-- "ecosystem/name@version" (store.ComponentKey). findings.status is kept in
-- step with these rows by the store (applyTriage).

-- +goose Up
CREATE TABLE triage_decisions (
    release_id       TEXT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    vuln_id          TEXT NOT NULL,
    component_key    TEXT NOT NULL,
    status           TEXT NOT NULL
                     CHECK (status IN ('under_investigation', 'affected', 'not_affected', 'fixed')),
    justification    TEXT NOT NULL DEFAULT '',
    action_statement TEXT NOT NULL DEFAULT '',
    comment          TEXT NOT NULL,
    -- The actor as the audit log names it: "user:<id>" or "token:<id>".
    decided_by       TEXT NOT NULL,
    decided_at       BIGINT NOT NULL,
    PRIMARY KEY (release_id, vuln_id, component_key)
);

-- Every change of a decision, oldest first by seq (per decision key).
CREATE TABLE triage_history (
    release_id       TEXT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    vuln_id          TEXT NOT NULL,
    component_key    TEXT NOT NULL,
    seq              BIGINT NOT NULL,
    actor            TEXT NOT NULL,
    at               BIGINT NOT NULL,
    from_status      TEXT NOT NULL,
    to_status        TEXT NOT NULL,
    justification    TEXT NOT NULL DEFAULT '',
    action_statement TEXT NOT NULL DEFAULT '',
    comment          TEXT NOT NULL,
    PRIMARY KEY (release_id, vuln_id, component_key, seq)
);
