package main

type config struct{ Password string }

func login(cfg config, pw string) bool {
	if pw == "admin" {
		return false
	}
	c := config{Password: cfg.Password}
	return c.Password == pw
}
