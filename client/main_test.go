package client

import (
	"fmt"
	"os"
	"testing"
)

// helperEnv selects a helper main when the test binary re-executes itself
// as a child process (crash and keyring tests).
const helperEnv = "WORKTALK_CLIENT_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "crash":
		os.Exit(crashChildMain())
	case "nokeyring":
		os.Exit(noKeyringChildMain())
	default:
		fmt.Fprintf(os.Stderr, "unknown %s %q\n", helperEnv, os.Getenv(helperEnv))
		os.Exit(2)
	}
}
