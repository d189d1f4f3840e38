package localdev

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// renderedProject is the part of `docker compose config --format json` the tests read.
type renderedProject struct {
	Services map[string]renderedService `json:"services"`
}

type renderedService struct {
	Platform    string            `json:"platform"`
	Privileged  bool              `json:"privileged"`
	Pid         string            `json:"pid"`
	CapAdd      []string          `json:"cap_add"`
	SecurityOpt []string          `json:"security_opt"`
	Environment map[string]string `json:"environment"`
	Ports       []struct {
		HostIP    string `json:"host_ip"`
		Published string `json:"published"`
		Target    int    `json:"target"`
	} `json:"ports"`
	Volumes []struct {
		Source   string `json:"source"`
		Target   string `json:"target"`
		ReadOnly bool   `json:"read_only"`
	} `json:"volumes"`
}

// renderCompose has Compose itself read files with the environment up passes: Compose v1 must
// accept them, and Compose v2's JSON rendering is returned for the test to check.
func renderCompose(t *testing.T, project string, files, env []string) renderedProject {
	t.Helper()
	run := func(v ComposeVersion, extra ...string) []byte {
		t.Helper()
		requireCompose(t, v)
		prog, args := composeArgs(v, project, files, append([]string{"config"}, extra...)...)
		cmd := exec.Command(prog, args...)
		cmd.Dir = filepath.Dir(files[0])
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s config: %v\n%s", v, err, out)
		}
		return out
	}
	run(ComposeV1)
	var p renderedProject
	if err := json.Unmarshal(run(ComposeV2, "--format", "json"), &p); err != nil {
		t.Fatal(err)
	}
	return p
}
