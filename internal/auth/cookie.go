package auth

import (
	"net/http"
	"time"
)

// SessionCookieName carries the session token. The __Host- prefix makes
// browsers refuse it unless it is Secure, has Path=/ and no Domain, so no
// sibling host or plain-HTTP page can set or overwrite it.
const SessionCookieName = "__Host-craft_session"

// SessionCookie returns the cookie that carries token until expires:
// Secure, HttpOnly, SameSite=Strict, Path=/, no Domain. A zero expires
// makes a browser-session cookie.
func SessionCookie(token string, expires time.Time) *http.Cookie {
	c := &http.Cookie{
		Name:     SessionCookieName,
		Value:    token,
		Path:     "/",
		Secure:   true,
		HttpOnly: true,
		SameSite: http.SameSiteStrictMode,
	}
	if !expires.IsZero() {
		c.Expires = expires.UTC()
	}
	return c
}

// ClearSessionCookie returns the cookie that deletes the session cookie
// (at log-out), with the same attributes so the browser accepts it.
func ClearSessionCookie() *http.Cookie {
	c := SessionCookie("", time.Time{})
	c.MaxAge = -1
	c.Expires = time.Unix(1, 0).UTC()
	return c
}
