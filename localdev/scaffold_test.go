package localdev

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDecideScaffoldRules(t *testing.T) {
	t.Parallel()
	embedded := []byte("FROM base:latest\nCOPY a b\n")
	old := []byte("FROM base:latest\nCOPY old b\n")
	tests := []struct {
		name     string
		current  []byte
		exists   bool
		recorded string
		force    bool
		want     scaffoldDecision
	}{
		{"a missing file is written", nil, false, "", false, scaffoldWrite},
		{"a file equal to the embedded copy is kept", embedded, true, "", false, scaffoldKeep},
		{"a pinned FROM line is not an edit", []byte("FROM base:latest@sha256:abc\nCOPY a b\n"), true, "", false, scaffoldKeep},
		{"an old copy scaffold wrote is updated", old, true, contentHash("Dockerfile", old), false, scaffoldUpdate},
		{"an old copy scaffold wrote, since pinned, is updated", []byte("FROM base@sha256:1\nCOPY old b\n"), true, contentHash("Dockerfile", old), false, scaffoldUpdate},
		{"an edited file is left alone", []byte("FROM base:latest\nCOPY mine b\n"), true, contentHash("Dockerfile", old), false, scaffoldEdited},
		{"an edited file with no record is left alone", old, true, "", false, scaffoldEdited},
		{"force overwrites an edited file", []byte("mine\n"), true, "", true, scaffoldOverwrite},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := decide("Dockerfile", tt.current, tt.exists, embedded, tt.recorded, tt.force); got != tt.want {
				t.Errorf("decide = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCarryFromKeepsThePinnedBase(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, embedded, current, want string
	}{
		{"the current FROM line replaces the embedded one",
			"# c\nFROM x:latest\nCOPY a b\n", "FROM x:latest@sha256:1\nCOPY old b\n", "# c\nFROM x:latest@sha256:1\nCOPY a b\n"},
		{"a current file with two FROM lines leaves the embedded copy as is",
			"FROM x\n", "FROM a AS b\nFROM c\n", "FROM x\n"},
		{"a current file without FROM leaves the embedded copy as is",
			"FROM x\n", "COPY a b\n", "FROM x\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := string(carryFrom([]byte(tt.embedded), []byte(tt.current))); got != tt.want {
				t.Errorf("carryFrom = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestScaffoldWritesMissingFilesWithModesAndRecord(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var out bytes.Buffer
	if err := Scaffold(Config{Dir: dir}, WithOutput(&out)); err != nil {
		t.Fatal(err)
	}
	for _, a := range scaffoldAssets() {
		p := filepath.Join(dir, "localdev", a.name)
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatalf("%s not written: %v", a.name, err)
		}
		if fi.Mode().Perm() != a.mode {
			t.Errorf("%s mode = %v, want %v", a.name, fi.Mode().Perm(), a.mode)
		}
		if !strings.Contains(out.String(), "scaffold: wrote localdev/"+a.name) {
			t.Errorf("output %q does not report writing %s", out.String(), a.name)
		}
	}
	record, err := readRecord(filepath.Join(dir, "localdev", ScaffoldRecord))
	if err != nil || len(record) != len(scaffoldAssets()) {
		t.Errorf("record = %v, %v; want one hash per file", record, err)
	}
	// Compose v1 refuses a missing env_file: scaffold leaves an empty one.
	if _, err := os.Stat(filepath.Join(dir, "localdev", "function.env")); err != nil {
		t.Errorf("function.env not written: %v", err)
	}

	// Running again changes nothing and says nothing.
	out.Reset()
	if err := Scaffold(Config{Dir: dir}, WithOutput(&out)); err != nil || out.Len() != 0 {
		t.Errorf("second Scaffold = %v, output %q; want silence", err, out.String())
	}
}

func TestScaffoldUpdatesUntouchedOldCopyKeepingItsPin(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ld := filepath.Join(dir, "localdev")
	old := "FROM base:latest@sha256:1234\nCOPY from-an-older-lambdalocal /x\n"
	writeTestFile(t, filepath.Join(ld, "Dockerfile"), old)
	writeTestFile(t, filepath.Join(ld, ScaffoldRecord), contentHash("Dockerfile", []byte(old))+"  Dockerfile\n")
	var out bytes.Buffer
	if err := Scaffold(Config{Dir: dir}, WithOutput(&out)); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(ld, "Dockerfile"))
	embedded, _ := assets.ReadFile("Dockerfile")
	if contentHash("Dockerfile", got) != contentHash("Dockerfile", embedded) {
		t.Errorf("Dockerfile not updated to the embedded copy:\n%s", got)
	}
	if !strings.Contains(string(got), "\nFROM base:latest@sha256:1234\n") {
		t.Errorf("updated Dockerfile lost its pinned FROM line:\n%s", got)
	}
	if !strings.Contains(out.String(), "scaffold: updated localdev/Dockerfile") {
		t.Errorf("output %q does not report the update", out.String())
	}
}

func TestScaffoldLeavesEditedFileUnlessForced(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	compose := filepath.Join(dir, "localdev", "docker-compose.yml")
	writeTestFile(t, compose, "services: {mine: {}}\n")
	var out bytes.Buffer
	if err := Scaffold(Config{Dir: dir}, WithOutput(&out)); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(compose); string(got) != "services: {mine: {}}\n" {
		t.Errorf("edited compose file overwritten:\n%s", got)
	}
	if want := "scaffold: kept localdev/docker-compose.yml: it has local edits"; !strings.Contains(out.String(), want) {
		t.Errorf("output %q lacks %q", out.String(), want)
	}

	if err := Scaffold(Config{Dir: dir}, WithForce(true), WithOutput(&out)); err != nil {
		t.Fatal(err)
	}
	embedded, _ := assets.ReadFile("docker-compose.yml")
	if got, _ := os.ReadFile(compose); !bytes.Equal(got, embedded) {
		t.Errorf("forced Scaffold did not overwrite the edited file:\n%s", got)
	}
}

func TestScaffoldNeverTouchesFunctionEnv(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := filepath.Join(dir, "localdev", "function.env")
	writeTestFile(t, env, "SECRET=mine\n")
	if err := Scaffold(Config{Dir: dir}, WithForce(true)); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(env); string(got) != "SECRET=mine\n" {
		t.Errorf("function.env changed to %q", got)
	}
}
