package localdev

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ScaffoldRecord is the file in localdev/ where Scaffold records the hash of each file it
// wrote, so that a later lambdalocal can tell an untouched old copy (safe to update) from a
// file the user edited (left alone). Commit it with the other files.
const ScaffoldRecord = "lambdalocal.sum"

// Scaffold writes the local environment's files into <cfg.Dir>/localdev/ from the copies
// embedded in lambdalocal: Dockerfile, docker-compose.yml, entrypoint.sh, .dockerignore and
// .gitignore, plus an empty function.env for the function's own variables. For each file:
//
//   - missing: it is written;
//   - the same as the embedded copy: it is left alone;
//   - what an earlier Scaffold wrote (its hash is in ScaffoldRecord): it is updated;
//   - anything else has local edits: it is left alone with a message on WithOutput's writer,
//     unless WithForce(true), which overwrites it.
//
// The Dockerfile's FROM line does not count: `image:pin` rewrites it, and an updated Dockerfile
// keeps the FROM line it had.
func Scaffold(cfg Config, opts ...Option) error {
	cfg = cfg.WithDefaults()
	o := newOptions(opts)
	dir := filepath.Join(cfg.Dir, "localdev")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	record, err := readRecord(filepath.Join(dir, ScaffoldRecord))
	if err != nil {
		return err
	}
	changed := false
	for _, a := range scaffoldAssets() {
		embedded, err := assets.ReadFile(a.name)
		if err != nil {
			return fmt.Errorf("reading embedded %s: %w", a.name, err)
		}
		path := filepath.Join(dir, a.name)
		current, err := os.ReadFile(path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("reading %s: %w", path, err)
		}
		d := decide(a.name, current, err == nil, embedded, record[a.name], o.force)
		rel := relPath(cfg.Dir, path)
		switch d {
		case scaffoldKeep:
			continue
		case scaffoldEdited:
			fmt.Fprintf(o.out, "scaffold: kept %s: it has local edits and differs from lambdalocal's copy (`go tool mage initForce` overwrites it)\n", rel)
			continue
		}
		data := embedded
		if a.name == "Dockerfile" && current != nil {
			data = carryFrom(embedded, current)
		}
		if err := writeFileAtomic(path, data, a.mode); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		record[a.name] = contentHash(a.name, data)
		changed = true
		fmt.Fprintf(o.out, "scaffold: %s %s\n", d, rel)
	}
	if changed {
		if err := writeRecord(filepath.Join(dir, ScaffoldRecord), record); err != nil {
			return err
		}
	}
	return ensureEnvFile(cfg.Dir)
}

// scaffoldDecision is what Scaffold does with one file.
type scaffoldDecision string

const (
	scaffoldWrite     scaffoldDecision = "wrote"
	scaffoldUpdate    scaffoldDecision = "updated"
	scaffoldOverwrite scaffoldDecision = "overwrote"
	scaffoldKeep      scaffoldDecision = "kept"
	scaffoldEdited    scaffoldDecision = "edited"
)

// decide applies Scaffold's rules to one file: its current content (exists tells whether there
// is one), the embedded copy, the hash recorded when Scaffold last wrote it, and force.
func decide(name string, current []byte, exists bool, embedded []byte, recorded string, force bool) scaffoldDecision {
	switch have := contentHash(name, current); {
	case !exists:
		return scaffoldWrite
	case have == contentHash(name, embedded):
		return scaffoldKeep
	case have == recorded:
		return scaffoldUpdate
	case force:
		return scaffoldOverwrite
	default:
		return scaffoldEdited
	}
}

// contentHash is the SHA-256 of a file's content as Scaffold compares it: for the Dockerfile,
// with each FROM instruction's argument left out, since pinning the base is not an edit.
func contentHash(name string, data []byte) string {
	if name == "Dockerfile" {
		var b bytes.Buffer
		for _, line := range strings.SplitAfter(string(data), "\n") {
			if isFrom(line) {
				line = "FROM\n"
			}
			b.WriteString(line)
		}
		data = b.Bytes()
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// isFrom reports whether a Dockerfile line is a FROM instruction.
func isFrom(line string) bool {
	f := strings.Fields(line)
	return len(f) > 0 && strings.EqualFold(f[0], "FROM")
}

// carryFrom returns the embedded Dockerfile with its FROM line replaced by the current file's,
// when each has exactly one.
func carryFrom(embedded, current []byte) []byte {
	var from string
	n := 0
	for _, line := range strings.SplitAfter(string(current), "\n") {
		if isFrom(line) {
			from, n = line, n+1
		}
	}
	if n != 1 {
		return embedded
	}
	if !strings.HasSuffix(from, "\n") {
		from += "\n"
	}
	var b bytes.Buffer
	m := 0
	for _, line := range strings.SplitAfter(string(embedded), "\n") {
		if isFrom(line) {
			line, m = from, m+1
		}
		b.WriteString(line)
	}
	if m != 1 {
		return embedded
	}
	return b.Bytes()
}

// readRecord reads ScaffoldRecord: lines of "<sha256 hex>  <file name>", as sha256sum writes.
func readRecord(path string) (map[string]string, error) {
	record := map[string]string{}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return record, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	s := bufio.NewScanner(bytes.NewReader(data))
	for s.Scan() {
		line := s.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		if sum, name, ok := strings.Cut(line, "  "); ok {
			record[strings.TrimSpace(name)] = strings.TrimSpace(sum)
		}
	}
	return record, nil
}

// writeRecord writes ScaffoldRecord in the order of the scaffolded files.
func writeRecord(path string, record map[string]string) error {
	var b strings.Builder
	b.WriteString("# Written by lambdalocal's scaffold: the SHA-256 of each file as it wrote it (FROM lines left out).\n")
	for _, a := range scaffoldAssets() {
		if sum, ok := record[a.name]; ok {
			fmt.Fprintf(&b, "%s  %s\n", sum, a.name)
		}
	}
	if err := writeFileAtomic(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// writeFileAtomic writes data to path through a temporary file, so that an interrupted write
// never leaves half a file.
func writeFileAtomic(path string, data []byte, mode fs.FileMode) error {
	tmp, err := tempPath(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	if err := os.WriteFile(tmp, data, mode); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Chmod(tmp, mode); err != nil { // CreateTemp made it 0600
		_ = os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}
