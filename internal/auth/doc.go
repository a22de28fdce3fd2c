// Package auth is the security logic of craft serve: password rules and
// hashing, TOTP multi-factor authentication with recovery codes, login
// throttling, sessions, API tokens, roles, permissions and the one central
// authorisation decision.
//
// The package knows nothing about HTTP or SQL. It asks storage for what it
// needs through small interfaces ([UserStore], [MFAStore], [SessionStore],
// [TokenStore], [ThrottleStore], [SetupStore]) that take and return the plain
// structs defined here; internal/auth/authstore adapts internal/store to them
// and internal/auth/authtest holds an in-memory implementation for tests.
//
// Every clock is injected (a Now func() time.Time) so that tests control
// time, and every secret that storage sees is either a hash (session ids,
// API tokens, recovery codes, setup tokens), an argon2id PHC string
// (passwords) or sealed with AES-256-GCM (TOTP secrets). docs/auth.md lists
// each rule with its parameters and the standard it follows.
package auth
