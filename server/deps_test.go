package server_test

import (
	"os/exec"
	"strings"
	"testing"
)

// Imports run one way: cmd -> server -> server/service -> protocol. No
// package of the server links the client side (engine, local store, UI)
// or a command.
func TestImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"client", "store", "ui", "cmd"} {
			p := "worktalk.dev/worktalk/" + banned
			if dep == p || strings.HasPrefix(dep, p+"/") {
				t.Errorf("the server depends on %s", dep)
			}
		}
	}
}
