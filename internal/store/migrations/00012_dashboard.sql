-- craft serve: the dashboard's end-of-life list, Article 14 countdowns and
-- a cheaper snapshot job (issue 6 item 5, issue 7). Portable SQL for
-- SQLite and PostgreSQL, as in 00001.

-- +goose Up

-- Change counters bumped in the transaction that changes what they count.
-- 'findings' is bumped by every write of findings or of their triage
-- status (ReplaceReleaseFindings, Triage, and the batch path): the
-- snapshot job compares it with the value its last snapshot saw and skips
-- the rebuild when nothing changed.
CREATE TABLE change_counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO change_counters (name, value) VALUES ('findings', 0);

-- What the last snapshot of a job was taken of: a fingerprint of the day,
-- the findings counter, the products' support periods and the releases.
-- The same fingerprint on the next tick means the rebuild would write the
-- same rows.
CREATE TABLE snapshot_state (
    name        TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    taken_at    BIGINT NOT NULL
);

-- The end-of-life date of the cycle ("2023-09-11"; '' when unknown or not
-- yet recorded), written by the monitoring run with the event.
ALTER TABLE eol_events ADD COLUMN eol_date TEXT NOT NULL DEFAULT '';

-- The dashboard names an EOL event's component by (release, component id).
CREATE INDEX release_components_component ON release_components (release_id, component_id);
