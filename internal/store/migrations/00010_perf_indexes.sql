-- craft serve: portfolio re-match performance (issue 6, item 8). Portable
-- SQL for SQLite and PostgreSQL, as in 00001.
--
-- findings_digest is a hash of the release's current findings rows
-- (store.FindingsDigest), stored by the writer that knows them and cleared
-- ('' = unknown) by any other writer of finding data, so that a re-match
-- whose result has the same digest leaves the release alone without
-- reading its findings.

-- +goose Up
ALTER TABLE releases ADD COLUMN findings_digest TEXT NOT NULL DEFAULT '';
