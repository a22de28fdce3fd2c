package inventory

import scalibrlog "github.com/google/osv-scalibr/log"

// SilenceScalibrLog stops osv-scalibr's package-level logger from writing
// to the process's standard error. scalibr logs extractor failures there
// (through the standard log package); Scan already reports each of them as
// a Skipped entry, so on a terminal they are noise. It changes process-wide
// state: call it once from main, before any scan, never from a library.
func SilenceScalibrLog() { scalibrlog.SetLogger(discardLogger{}) }

// discardLogger is a scalibr logger that drops everything.
type discardLogger struct{}

func (discardLogger) Errorf(string, ...any) {}
func (discardLogger) Error(...any)          {}
func (discardLogger) Warnf(string, ...any)  {}
func (discardLogger) Warn(...any)           {}
func (discardLogger) Infof(string, ...any)  {}
func (discardLogger) Info(...any)           {}
func (discardLogger) Debugf(string, ...any) {}
func (discardLogger) Debug(...any)          {}
