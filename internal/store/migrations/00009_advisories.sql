-- craft serve: CSAF 2.0 advisories (issue 7, item 4). Portable SQL for
-- SQLite and PostgreSQL, as in 00001: TEXT ids, BIGINT Unix-nanosecond
-- times.
--
-- advisories holds each advisory's working copy: the editable input it is
-- generated from (JSON of csaf.AdvisoryInput) and the document generated
-- from it. advisory_versions holds every published version byte for byte
-- with its SHA-512, never changed afterwards, so the provider's files,
-- index.txt and changes.csv stay correct and old versions stay
-- retrievable. A product with advisories cannot be deleted (RESTRICT):
-- published advisories must not vanish from the provider silently.

-- +goose Up
CREATE TABLE advisories (
    id                   TEXT PRIMARY KEY,
    tracking_id          TEXT NOT NULL UNIQUE,
    -- The section 5.1 file name of the tracking ID (unique, like the ID).
    filename             TEXT NOT NULL UNIQUE,
    product_id           TEXT NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    -- The release the draft was generated from; NULL once it is deleted.
    release_id           TEXT REFERENCES releases (id) ON DELETE SET NULL,
    category             TEXT NOT NULL CHECK (category IN ('csaf_security_advisory', 'csaf_vex')),
    title                TEXT NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('draft', 'interim', 'final')),
    version              TEXT NOT NULL,
    tlp                  TEXT NOT NULL CHECK (tlp IN ('WHITE', 'GREEN', 'AMBER', 'RED')),
    input                TEXT NOT NULL,
    document             TEXT NOT NULL,
    -- Set at the first publication; the folder year comes from it.
    initial_release_date BIGINT,
    published_at         BIGINT,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);
CREATE INDEX advisories_product ON advisories (product_id, created_at);

CREATE TABLE advisory_versions (
    advisory_id          TEXT NOT NULL REFERENCES advisories (id) ON DELETE RESTRICT,
    version              TEXT NOT NULL,
    tracking_id          TEXT NOT NULL,
    filename             TEXT NOT NULL,
    product_id           TEXT NOT NULL,
    category             TEXT NOT NULL,
    title                TEXT NOT NULL,
    tlp                  TEXT NOT NULL,
    -- The input the document was generated from (the OpenVEX
    -- document published beside it is made from it).
    input                TEXT NOT NULL,
    document             TEXT NOT NULL,
    sha512               TEXT NOT NULL,
    initial_release_date BIGINT NOT NULL,
    published_at         BIGINT NOT NULL,
    PRIMARY KEY (advisory_id, version)
);
CREATE INDEX advisory_versions_published ON advisory_versions (tlp, published_at);

