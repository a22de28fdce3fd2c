-- craft serve: portfolio monitoring, part three (issue 6, item 3): the
-- current findings of each release, as the last re-match against the
-- advisory database left them. Portable SQL for SQLite and PostgreSQL, as
-- in 00001: TEXT, BIGINT Unix-nanosecond times.
--
-- A finding is one vulnerability (its preferred ID, match.Finding.ID) in
-- one component of the release's SBOM (release_components.component_id).
-- A re-match replaces a release's rows in one transaction; first_seen and
-- status survive while the finding stays.

-- +goose Up
CREATE TABLE findings (
    release_id        TEXT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    vuln_id           TEXT NOT NULL,
    component_id      TEXT NOT NULL,
    -- Every merged ID, sorted, newline-separated.
    aliases           TEXT NOT NULL DEFAULT '',
    component_purl    TEXT NOT NULL DEFAULT '',
    component_name    TEXT NOT NULL,
    component_version TEXT NOT NULL,
    ecosystem         TEXT NOT NULL DEFAULT '',
    severity_level    TEXT NOT NULL,
    -- CVSS base score times ten (9.8 is 98), 0 when unknown.
    severity_score    BIGINT NOT NULL DEFAULT 0,
    minimum_fix       TEXT NOT NULL DEFAULT '',
    -- The KEV catalog's dateAdded, "2025-01-23"; '' when not KEV-listed.
    kev_date_added    TEXT NOT NULL DEFAULT '',
    first_seen        BIGINT NOT NULL,
    last_seen         BIGINT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'under_investigation'
                      CHECK (status IN ('under_investigation', 'affected', 'not_affected', 'fixed')),
    PRIMARY KEY (release_id, vuln_id, component_id)
);
CREATE INDEX findings_vuln ON findings (vuln_id);
