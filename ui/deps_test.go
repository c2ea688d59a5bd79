package ui

import (
	"os/exec"
	"strings"
	"testing"
)

// The UI reaches the server only through the engine: package ui must not
// import the local store or the websocket library itself, must not link
// the server at all, and leaves starting a Fyne driver to cmd/worktalk.
func TestImports(t *testing.T) {
	list := func(args ...string) []string {
		t.Helper()
		out, err := exec.Command("go", append([]string{"list"}, args...)...).Output()
		if err != nil {
			t.Fatalf("go list %v: %v", args, err)
		}
		return strings.Fields(string(out))
	}
	for _, imp := range list("-f", `{{join .Imports " "}}`, ".") {
		if strings.HasPrefix(imp, "worktalk.dev/worktalk/store") || imp == "github.com/gorilla/websocket" {
			t.Errorf("package ui imports %s, want it to go through the engine", imp)
		}
	}
	for _, dep := range list("-deps", ".") {
		if strings.HasPrefix(dep, "worktalk.dev/worktalk/server") || dep == "fyne.io/fyne/v2/app" {
			t.Errorf("package ui depends on %s", dep)
		}
	}
}
