package main

import "flag"

var defaultPassword = "admin"

func main() {
	pw := flag.String("admin-password", "changeme", "password of the admin account")
	_ = pw
}
