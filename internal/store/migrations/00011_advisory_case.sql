-- craft serve: an advisory made from a vulnerability case names the case
-- (issue 7: the case's history records each publication, and publication
-- is held back while the case's embargo runs). Additive: advisories made
-- from a release's findings keep NULL.

-- +goose Up
ALTER TABLE advisories ADD COLUMN case_reference TEXT;
CREATE INDEX advisories_case ON advisories (case_reference);
