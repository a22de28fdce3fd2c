-- craft serve: portfolio monitoring, part one (issue 6): the CRA fields of
-- a product, its releases, each release's SBOM as uploaded and the
-- components decoded from it. Portable SQL for SQLite and PostgreSQL, as
-- in 00001: TEXT, BIGINT Unix-nanosecond times, BYTEA bytes.
--
-- Months ("2026-12") and days ("2026-12-04") are TEXT in ISO 8601 form so
-- that they compare as strings on both engines; '' means "not set".

-- +goose Up
ALTER TABLE products ADD COLUMN manufacturer TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN intended_purpose TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN cra_class TEXT NOT NULL DEFAULT 'default'
    CHECK (cra_class IN ('default', 'important-i', 'important-ii', 'critical'));
ALTER TABLE products ADD COLUMN support_start TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN support_end TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN support_justification TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN security_contact TEXT NOT NULL DEFAULT '';
-- ISO 3166-1 alpha-2 codes of EU Member States, sorted, comma-separated.
ALTER TABLE products ADD COLUMN member_states TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;

CREATE TABLE releases (
    id          TEXT PRIMARY KEY,
    product_id  TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    version     TEXT NOT NULL,
    released_on TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    UNIQUE (product_id, version)
);

-- One SBOM per release: the bytes exactly as uploaded (possibly gzipped)
-- with the content type they came with.
CREATE TABLE release_sboms (
    release_id   TEXT PRIMARY KEY REFERENCES releases (id) ON DELETE CASCADE,
    content_type TEXT NOT NULL,
    format       TEXT NOT NULL,
    spec_version TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    size         BIGINT NOT NULL,
    components   BIGINT NOT NULL,
    data         BYTEA NOT NULL,
    uploaded_at  BIGINT NOT NULL,
    uploaded_by  TEXT NOT NULL
);

-- The components of a release's SBOM, as internal/sbom decoded them, for
-- matching against advisories (later parts of issue 6).
CREATE TABLE release_components (
    release_id   TEXT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    seq          BIGINT NOT NULL,
    component_id TEXT NOT NULL,
    name         TEXT NOT NULL,
    version      TEXT NOT NULL,
    ecosystem    TEXT NOT NULL,
    purl         TEXT NOT NULL,
    relationship TEXT NOT NULL,
    licenses     TEXT NOT NULL,
    supplier     TEXT NOT NULL,
    PRIMARY KEY (release_id, seq)
);
CREATE INDEX release_components_purl ON release_components (purl);
CREATE INDEX release_components_name ON release_components (ecosystem, name, version);
