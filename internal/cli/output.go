package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// OutputSpec is one -o FORMAT[=FILE] request. An empty Path means stdout.
type OutputSpec struct {
	Format string
	Path   string
}

// parseOutputs reads the repeatable -o flag (syft's convention). With no -o
// the default format goes to stdout. At most one output may go to stdout.
func parseOutputs(specs []string, allowed []string, def string) ([]OutputSpec, error) {
	if len(specs) == 0 {
		return []OutputSpec{{Format: def}}, nil
	}
	var out []OutputSpec
	stdout := 0
	for _, s := range specs {
		format, path, _ := strings.Cut(s, "=")
		if !slices.Contains(allowed, format) {
			return nil, usageError("-o %s: unknown format %q (want one of %s)", s, format, strings.Join(allowed, ", "))
		}
		if path == "" {
			stdout++
		}
		out = append(out, OutputSpec{Format: format, Path: path})
	}
	if stdout > 1 {
		return nil, usageError("-o: only one output can go to stdout; give the others a file with FORMAT=FILE")
	}
	return out, nil
}

// writeOutputs renders each requested output. Files are written to a
// temporary file beside the target and renamed into place, so a failed run
// never leaves a half-written report where the old one was.
func writeOutputs(app *App, specs []OutputSpec, render func(format string, w io.Writer) error) error {
	for _, spec := range specs {
		if spec.Path == "" {
			var buf bytes.Buffer
			if err := render(spec.Format, &buf); err != nil {
				return fmt.Errorf("render %s: %w", spec.Format, err)
			}
			if _, err := app.Stdout.Write(buf.Bytes()); err != nil {
				return fmt.Errorf("write %s to stdout: %w", spec.Format, err)
			}
			continue
		}
		if err := writeFileAtomic(spec.Path, func(w io.Writer) error { return render(spec.Format, w) }); err != nil {
			return fmt.Errorf("write %s to %s: %w", spec.Format, spec.Path, err)
		}
	}
	return nil
}

func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory; give a file name", path)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = write(tmp); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// requireDir checks that dir is a directory craft can list, and says
// precisely what is wrong when it is not: missing, a file, or unreadable.
func requireDir(command, dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return usageError("%s %s: no such directory", command, dir)
	case err != nil:
		return usageError("%s %s: %v", command, dir, err)
	case !fi.IsDir():
		return usageError("%s %s: not a directory", command, dir)
	}
	f, err := os.Open(dir)
	if err == nil {
		_, err = f.Readdirnames(1)
		f.Close()
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return usageError("%s %s: cannot read the directory: %v", command, dir, err)
	}
	return nil
}
