package client

import (
	"go/build"
	"strings"
	"testing"
)

// Imports run one way: ui -> client -> store -> protocol. The engine never
// reaches into the server or the UI; its secrets go through client/secret.
func TestImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{
		"worktalk.dev/worktalk/protocol":      true,
		"worktalk.dev/worktalk/store":         true,
		"worktalk.dev/worktalk/client/secret": true,
	}
	for _, imp := range pkg.Imports {
		if strings.HasPrefix(imp, "worktalk.dev/worktalk/") && !allowed[imp] {
			t.Errorf("client imports %s; it may import only protocol, store and client/secret of this module", imp)
		}
	}
}
