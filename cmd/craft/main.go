// Command craft helps a software manufacturer meet, and prove that it meets,
// the EU Cyber Resilience Act. See README.md and docs/.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/craft-cra/craft/internal/cli"
	"github.com/craft-cra/craft/internal/inventory"
)

func main() {
	// scalibr logs extractor errors itself; craft reports them as skipped
	// inputs, so its copy would only repeat them out of context.
	inventory.SilenceScalibrLog()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, cli.OSApp(), os.Args[1:])
	stop()
	os.Exit(code)
}
