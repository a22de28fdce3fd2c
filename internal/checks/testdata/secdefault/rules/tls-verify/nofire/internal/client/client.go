package client

import "crypto/tls"

type Options struct{ Insecure bool }

func tlsConfig(o Options) *tls.Config {
	return &tls.Config{InsecureSkipVerify: o.Insecure, MinVersion: tls.VersionTLS12}
}
