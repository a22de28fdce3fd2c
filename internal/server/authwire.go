package server

import (
	"context"
	"fmt"
	"time"

	"github.com/craft-cra/craft/internal/auth"
	"github.com/craft-cra/craft/internal/auth/authstore"
	"github.com/craft-cra/craft/internal/store"
)

// AuthOptions tune the sign-in flow NewAuth builds.
type AuthOptions struct {
	// Key is the 32-byte MFA sealing key (auth.LoadOrCreateKey on
	// DataDir/mfa.key).
	Key                          []byte
	MFARequiredForAll            bool
	IdleTimeout, AbsoluteTimeout time.Duration
	// Hasher nil means argon2id at OWASP's parameters; tests may pass a
	// cheaper one.
	Hasher *auth.PasswordHasher
	Now    func() time.Time
}

// NewAuth builds the auth.Service of craft serve on st. Its token store
// records a token.use audit event whenever auth records a token's last use
// (at most once a minute per token), so token use is audited without a
// write per request.
func NewAuth(st *store.Store, o AuthOptions) (*auth.Service, error) {
	sealer, err := auth.NewSealer(o.Key)
	if err != nil {
		return nil, fmt.Errorf("server: mfa key: %w", err)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	as := authstore.New(st)
	as.Now = o.Now
	svc, err := auth.NewService(auth.ServiceConfig{
		Users:           as,
		MFAStore:        as,
		Sessions:        as,
		Throttle:        as,
		Tokens:          &auditedTokens{Store: as, st: st, now: o.Now},
		Setup:           as,
		Sealer:          sealer,
		Hasher:          o.Hasher,
		Policy:          auth.MFAPolicy{RequireForAll: o.MFARequiredForAll},
		IdleTimeout:     o.IdleTimeout,
		AbsoluteTimeout: o.AbsoluteTimeout,
		Now:             o.Now,
	})
	if err != nil {
		return nil, fmt.Errorf("server: auth: %w", err)
	}
	return svc, nil
}

// auditedTokens is authstore's token store with one addition: recording a
// token's last use also appends a token.use audit event, in the same
// transaction.
type auditedTokens struct {
	*authstore.Store
	st  *store.Store
	now func() time.Time
}

func (a *auditedTokens) TouchAPIToken(ctx context.Context, id string, now time.Time) error {
	return a.st.InTx(ctx, func(tx *store.Store) error {
		if err := authstore.New(tx).TouchAPIToken(ctx, id, now); err != nil {
			return err
		}
		t, err := tx.GetAPIToken(ctx, id)
		if err != nil {
			return err
		}
		d := map[string]string{"user": t.UserID}
		if rid := RequestID(ctx); rid != "" {
			d["request_id"] = rid
		}
		_, err = tx.AppendAudit(ctx, store.Event{
			At: now, Actor: "token:" + id, Action: ActTokenUse, Target: "token:" + id,
			SourceIP: auditSource(ctx), Detail: d,
		})
		return err
	})
}
