package lock_test

import (
	"testing"

	"worktalk.dev/worktalk/client/lock"
)

// BenchmarkUnlock is one unlock with the production parameters, keyring
// reads and writes included (in memory unless WORKTALK_TEST_KEYRING=1).
func BenchmarkUnlock(b *testing.B) {
	st, svc := testStore(b)
	l, err := lock.Open(lock.Options{Store: st, Service: svc})
	if err != nil {
		b.Fatal(err)
	}
	if err := l.Set("right-password"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if err := l.Verify("right-password"); err != nil {
			b.Fatal(err)
		}
	}
}
