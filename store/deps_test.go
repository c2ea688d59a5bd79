package store_test

import (
	"go/build"
	"strings"
	"testing"
)

// The store sits below the engine: it may use protocol and SQLite, never
// the engine, the server or the UI.
func TestImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if strings.HasPrefix(imp, "worktalk.dev/worktalk/") && imp != "worktalk.dev/worktalk/protocol" {
			t.Errorf("store imports %s; it may import only worktalk.dev/worktalk/protocol of this module", imp)
		}
	}
}
