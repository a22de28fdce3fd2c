module example.com/shop

go 1.22

require golang.org/x/net v0.7.0

require golang.org/x/text v0.7.0 // indirect
