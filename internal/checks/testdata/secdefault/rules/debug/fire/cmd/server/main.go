package main

import (
	"net/http"
	_ "net/http/pprof"
)

func main() { _ = http.ListenAndServe("127.0.0.1:8080", nil) }
