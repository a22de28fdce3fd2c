package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// openPostgres opens a pgx pool. Errors never carry the password of the
// DSN: they name the host, port, database and user instead.
func openPostgres(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.DSN == "" {
		return nil, errors.New("store: open postgres: no connection string given")
	}
	pc, err := pgx.ParseConfig(cfg.DSN)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: bad connection string: %w", redact(err, dsnSecrets(cfg.DSN)))
	}
	where := fmt.Sprintf("postgres %s@%s:%d/%s", pc.User, pc.Host, pc.Port, pc.Database)
	secrets := append(dsnSecrets(cfg.DSN), pc.Password)
	db := stdlib.OpenDB(*pc)
	n := cfg.MaxOpenConns
	if n <= 0 {
		n = 16
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(min(n, 4))
	db.SetConnMaxLifetime(30 * time.Minute)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", where, redact(err, secrets))
	}
	return &Store{driver: DriverPostgres, write: db, read: db, reads: db}, nil
}

// dsnSecrets finds the password in a URL or key=value connection string,
// for redaction even when parsing fails.
func dsnSecrets(dsn string) []string {
	var out []string
	if i := strings.Index(dsn, "://"); i >= 0 {
		rest := dsn[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			userinfo := rest[:at]
			if c := strings.Index(userinfo, ":"); c >= 0 {
				out = append(out, userinfo[c+1:])
			}
		}
	}
	for _, f := range strings.FieldsFunc(dsn, func(r rune) bool { return r == ' ' || r == '&' || r == '?' }) {
		if v, ok := strings.CutPrefix(f, "password="); ok {
			out = append(out, strings.Trim(v, "'"))
		}
	}
	return out
}

// redactedError hides secrets in a wrapped error's message but keeps the
// chain for errors.Is and errors.As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func redact(err error, secrets []string) error {
	msg := err.Error()
	for _, s := range secrets {
		if len(s) >= 1 {
			msg = strings.ReplaceAll(msg, s, "xxxxx")
		}
	}
	return &redactedError{msg: msg, err: err}
}
