package checks

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"path"
	"strings"
)

// Executables are recognised by their magic bytes, not their names, so a
// renamed binary is found and a text file called "x.exe" is not.

// executableKind names the format of an executable or compiled artefact,
// or returns "" for anything else. head is the start of the file (at least
// 64 bytes when the file has them); name decides only between a zip and a
// jar.
func executableKind(name string, head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("\x7fELF")):
		return "ELF executable"
	case isPE(head):
		return "Windows PE executable"
	case len(head) >= 4 && isMachO(binary.BigEndian.Uint32(head)):
		return "Mach-O executable"
	case bytes.HasPrefix(head, []byte{0xca, 0xfe, 0xba, 0xbe}) && len(head) >= 8:
		// Java class files and Mach-O universal binaries share the magic;
		// a class file's major version is 45 or more, a universal binary
		// has a small architecture count there.
		if binary.BigEndian.Uint16(head[6:8]) >= 45 {
			return "Java class file"
		}
		return "Mach-O universal binary"
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		switch strings.ToLower(path.Ext(name)) {
		case ".jar", ".war", ".ear", ".aar", ".apk":
			return "Java archive"
		}
	}
	return ""
}

func isMachO(magic uint32) bool {
	switch magic {
	case 0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe:
		return true
	}
	return false
}

// isPE checks the DOS header's pointer to a "PE\0\0" signature; "MZ"
// alone is too common at the start of text.
func isPE(head []byte) bool {
	if len(head) < 0x40 || !bytes.HasPrefix(head, []byte("MZ")) {
		return false
	}
	off := binary.LittleEndian.Uint32(head[0x3c:0x40])
	if int(off)+4 <= len(head) {
		return bytes.Equal(head[off:off+4], []byte("PE\x00\x00"))
	}
	// The PE header lies beyond what was read; MZ plus a plausible
	// offset is still a strong sign.
	return off >= 0x40 && off < 0x1000
}

// wrapperJars are committed by design and can be verified against the
// published checksums.
var wrapperJars = map[string]bool{"gradle-wrapper.jar": true, "maven-wrapper.jar": true}

func checkBinaries(ctx context.Context, repo *Repo) ([]Result, error) {
	files, err := repo.CommittedFiles()
	if err != nil {
		return nil, err
	}
	var out []Result
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if repo.IsTestPath(f) {
			continue
		}
		head, err := repo.ReadHead(f, 512)
		if err != nil {
			continue
		}
		kind := executableKind(f, head)
		if kind == "" {
			continue
		}
		loc := []Location{{Path: f}}
		if wrapperJars[path.Base(f)] {
			out = append(out, Result{Outcome: OutcomeWarn, Message: fmt.Sprintf("%s is a build-tool wrapper jar; verify it against the published checksum in CI", f), Locations: loc})
			continue
		}
		out = append(out, Result{Outcome: OutcomeFail, Message: fmt.Sprintf("%s is a committed %s", f, kind), Locations: loc})
	}
	if len(out) == 0 {
		return []Result{{Outcome: OutcomePass, Message: fmt.Sprintf("no executables among %d file(s) (tests, fixtures and untracked files left out)", len(files))}}, nil
	}
	return out, nil
}
