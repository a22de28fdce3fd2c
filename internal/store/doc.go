// Package store is the persistence layer of craft serve: accounts, products
// and memberships, sessions, API tokens, setup tokens, login throttling,
// settings, the hash-chained audit log and leases for background jobs, on
// SQLite (the default: one file in the data folder) or PostgreSQL (several
// craft serve processes share one database).
//
// The package knows nothing about HTTP or about policy: callers pass plain
// structs in and get plain structs out. It stores secrets only in the form
// its callers give them (hashes of tokens, sealed MFA secrets); it never sees
// a password or a token in clear.
//
// # Connection discipline
//
// SQLite uses two pools on one file: a single-connection writer whose
// transactions start with BEGIN IMMEDIATE, and a read pool opened query-only.
// PostgreSQL uses one pgx pool; operations that must be serialised across
// processes (the audit chain, leases, setup tokens) take row locks.
//
// # Time
//
// Every time is stored as BIGINT Unix nanoseconds in UTC (see
// docs/server-storage.md): one portable type that compares numerically on
// both engines. Times come back in UTC without a monotonic reading.
//
// # Errors
//
// A missing row is [ErrNotFound], a uniqueness or foreign-key clash is
// [ErrConflict], a database written by a newer craft is [ErrSchemaTooNew].
package store
