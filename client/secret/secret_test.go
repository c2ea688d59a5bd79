package secret_test

import (
	"errors"
	"os"
	"testing"

	"worktalk.dev/worktalk/client/secret"
	"worktalk.dev/worktalk/protocol"
)

func TestMemory(t *testing.T) {
	testStore(t, &secret.Memory{}, "svc")
}

func TestKeyring(t *testing.T) {
	if os.Getenv("WORKTALK_TEST_KEYRING") != "1" {
		t.Skip("needs a real Secret Service: scripts/test.sh runs gnome-keyring in a private D-Bus session and sets WORKTALK_TEST_KEYRING=1")
	}
	svc := "worktalk-secret-test-" + protocol.NewID()
	t.Cleanup(func() {
		_ = secret.Keyring{}.Delete(svc, "a")
		_ = secret.Keyring{}.Delete(svc, "b")
	})
	testStore(t, secret.Keyring{}, svc)
}

// testStore checks the Store contract: ErrNotFound for an absent entry, the
// last Set wins, entries are apart by user, Delete of an absent entry is nil.
func testStore(t *testing.T, st secret.Store, svc string) {
	t.Helper()
	if _, err := st.Get(svc, "a"); !errors.Is(err, secret.ErrNotFound) {
		t.Fatalf("Get(absent) err = %v, want ErrNotFound", err)
	}
	for _, v := range []string{"one", "two"} {
		if err := st.Set(svc, "a", v); err != nil {
			t.Fatalf("Set: %v", err)
		}
		if got, err := st.Get(svc, "a"); got != v || err != nil {
			t.Fatalf("Get = %q, %v; want %q, nil", got, err, v)
		}
	}
	if _, err := st.Get(svc, "b"); !errors.Is(err, secret.ErrNotFound) {
		t.Fatalf("Get(other user) err = %v, want ErrNotFound", err)
	}
	if err := st.Delete(svc, "a"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := st.Get(svc, "a"); !errors.Is(err, secret.ErrNotFound) {
		t.Fatalf("Get after Delete err = %v, want ErrNotFound", err)
	}
	if err := st.Delete(svc, "a"); err != nil {
		t.Fatalf("Delete(absent) = %v, want nil", err)
	}
}
