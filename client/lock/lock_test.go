package lock_test

import (
	"errors"
	"os"
	"testing"
	"time"

	"worktalk.dev/worktalk/client/lock"
	"worktalk.dev/worktalk/client/secret"
	"worktalk.dev/worktalk/internal/argon2id"
	"worktalk.dev/worktalk/internal/testclock"
	"worktalk.dev/worktalk/protocol"
)

func newClock() *testclock.Clock { return testclock.New(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)) }

// testStore returns the real OS keyring when WORKTALK_TEST_KEYRING=1 (make
// test runs a throwaway gnome-keyring) and an in-memory store otherwise,
// with a service name of its own that is removed after the test.
func testStore(t testing.TB) (secret.Store, string) {
	t.Helper()
	service := "worktalk-lock-test-" + protocol.NewID()
	if os.Getenv("WORKTALK_TEST_KEYRING") != "1" {
		return &secret.Memory{}, service
	}
	var st secret.Keyring
	t.Cleanup(func() { _ = st.Delete(service, lock.DefaultUser) })
	return st, service
}

// mustOpen opens a Lock on st with cheap hash parameters: each call is one
// run of the app.
func mustOpen(t testing.TB, st secret.Store, service string, c *testclock.Clock) *lock.Lock {
	t.Helper()
	l, err := lock.Open(lock.Options{Store: st, Service: service, Params: argon2id.TestParams, Now: c.Now})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return l
}

func TestSetVerify(t *testing.T) {
	st, svc := testStore(t)
	c := newClock()
	l := mustOpen(t, st, svc, c)
	if l.IsSet() {
		t.Fatalf("IsSet on a fresh store = true, want false")
	}
	if err := l.Verify("anything"); !errors.Is(err, lock.ErrNotSet) {
		t.Fatalf("Verify before Set = %v, want ErrNotSet", err)
	}
	const pw = "비밀번호 correct"
	if err := l.Set(pw); err != nil {
		t.Fatalf("Set: %v", err)
	}

	tests := []struct {
		name string
		pw   string
		want error
	}{
		{"right", pw, nil},
		{"wrong", "비밀번호 wrong", lock.ErrWrongPassword},
		{"prefix", pw[:len(pw)-1], lock.ErrWrongPassword},
		{"right again", pw, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := l.Verify(tt.pw); !errors.Is(err, tt.want) {
				t.Fatalf("Verify(%q) = %v, want %v", tt.pw, err, tt.want)
			}
		})
	}

	// A second run of the app reads the same record.
	l2 := mustOpen(t, st, svc, c)
	if !l2.IsSet() {
		t.Fatalf("IsSet after reopen = false, want true")
	}
	if err := l2.Verify(pw); err != nil {
		t.Fatalf("Verify after reopen = %v, want nil", err)
	}
}

func TestStoresOnlyAnArgon2idHash(t *testing.T) {
	st := &secret.Memory{}
	l := mustOpen(t, st, "svc", newClock())
	const pw = "secret-password"
	if err := l.Set(pw); err != nil {
		t.Fatalf("Set: %v", err)
	}
	raw, err := st.Get("svc", lock.DefaultUser)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if contains(raw, pw) {
		t.Fatalf("stored record %q contains the password", raw)
	}
	if !contains(raw, `"hash":"$argon2id$v=19$m=64,t=1,p=1$`) {
		t.Fatalf("stored record = %q, want a PHC Argon2id hash with its parameters", raw)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestSetValidates(t *testing.T) {
	l := mustOpen(t, &secret.Memory{}, "svc", newClock())
	tests := []struct {
		name string
		pw   string
		ok   bool
	}{
		{"five", "12345", false},
		{"six", "123456", true},
		{"six hangul", "가나다라마바", true},
		{"128", repeat("a", 128), true},
		{"129", repeat("a", 129), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := l.Set(tt.pw)
			if tt.ok && err != nil {
				t.Fatalf("Set(%d runes) = %v, want nil", len([]rune(tt.pw)), err)
			}
			if !tt.ok && protocol.ErrorCode(err) != protocol.EInvalid {
				t.Fatalf("Set(%d runes) = %v, want code %s", len([]rune(tt.pw)), err, protocol.EInvalid)
			}
		})
	}
}

func repeat(s string, n int) string {
	b := make([]byte, 0, len(s)*n)
	for range n {
		b = append(b, s...)
	}
	return string(b)
}

func TestWaitAfter(t *testing.T) {
	want := []time.Duration{0, 0, 0, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second,
		32 * time.Second, 64 * time.Second, 128 * time.Second, 256 * time.Second, 5 * time.Minute, 5 * time.Minute}
	for n, w := range want {
		if got := lock.WaitAfter(n); got != w {
			t.Errorf("WaitAfter(%d) = %v, want %v", n, got, w)
		}
	}
	if got := lock.WaitAfter(1 << 30); got != lock.MaxWait {
		t.Errorf("WaitAfter(huge) = %v, want %v", got, lock.MaxWait)
	}
}

// TestWaitsSurviveRestart: wrong passwords make growing waits, and opening
// the lock again (a restart) keeps both the count and the wait.
func TestWaitsSurviveRestart(t *testing.T) {
	st, svc := testStore(t)
	c := newClock()
	l := mustOpen(t, st, svc, c)
	const pw = "right-password"
	if err := l.Set(pw); err != nil {
		t.Fatalf("Set: %v", err)
	}
	for i := range lock.FreeAttempts {
		if err := l.Verify("wrong"); !errors.Is(err, lock.ErrWrongPassword) {
			t.Fatalf("free attempt %d = %v, want ErrWrongPassword", i+1, err)
		}
	}
	wantUntil := c.Now().Add(lock.FirstWait)
	var we *lock.WaitError
	if err := l.Verify(pw); !errors.As(err, &we) || !we.Until.Equal(wantUntil) {
		t.Fatalf("Verify during wait = %v, want WaitError until %v", err, wantUntil)
	}

	// Restart: the wait still stands, even for the right password.
	l = mustOpen(t, st, svc, c)
	if got := l.Failures(); got != lock.FreeAttempts {
		t.Fatalf("Failures after restart = %d, want %d", got, lock.FreeAttempts)
	}
	if got := l.NextAttempt(); !got.Equal(wantUntil) {
		t.Fatalf("NextAttempt after restart = %v, want %v", got, wantUntil)
	}
	if err := l.Verify(pw); !errors.As(err, &we) {
		t.Fatalf("Verify during wait after restart = %v, want WaitError", err)
	}

	// The next wrong password doubles the wait.
	c.Advance(lock.FirstWait)
	if err := l.Verify("wrong"); !errors.Is(err, lock.ErrWrongPassword) {
		t.Fatalf("Verify after wait = %v, want ErrWrongPassword", err)
	}
	if got, want := l.NextAttempt(), c.Now().Add(2*lock.FirstWait); !got.Equal(want) {
		t.Fatalf("NextAttempt after 4 failures = %v, want %v", got, want)
	}
	l = mustOpen(t, st, svc, c)
	c.Advance(2*lock.FirstWait - time.Millisecond)
	if err := l.Verify(pw); !errors.As(err, &we) {
		t.Fatalf("Verify 1 ms before the wait ends = %v, want WaitError", err)
	}

	// The right password after the wait unlocks and forgets the failures.
	c.Advance(time.Millisecond)
	if err := l.Verify(pw); err != nil {
		t.Fatalf("Verify after wait = %v, want nil", err)
	}
	l = mustOpen(t, st, svc, c)
	if got := l.Failures(); got != 0 {
		t.Fatalf("Failures after unlock and restart = %d, want 0", got)
	}
	if got := l.NextAttempt(); got.After(c.Now()) {
		t.Fatalf("NextAttempt after unlock = %v, want not after now %v", got, c.Now())
	}
}

func TestClockSetBackWaitsAtMostMaxWait(t *testing.T) {
	st := &secret.Memory{}
	c := newClock()
	l := mustOpen(t, st, "svc", c)
	if err := l.Set("right-password"); err != nil {
		t.Fatalf("Set: %v", err)
	}
	for range lock.FreeAttempts + 1 {
		if err := l.Verify("wrong"); !errors.Is(err, lock.ErrWrongPassword) {
			t.Fatalf("Verify = %v, want ErrWrongPassword", err)
		}
		c.Advance(lock.MaxWait)
	}
	c.Advance(-24 * time.Hour)
	if got, want := l.NextAttempt(), c.Now().Add(lock.MaxWait); got.After(want) {
		t.Fatalf("NextAttempt with clock set back = %v, want at most %v", got, want)
	}
}

func TestSettings(t *testing.T) {
	st, svc := testStore(t)
	c := newClock()
	l := mustOpen(t, st, svc, c)
	want := lock.Settings{AutoLockMinutes: 15, StartLocked: true}
	if err := l.SetSettings(want); !errors.Is(err, lock.ErrNotSet) {
		t.Fatalf("SetSettings without a password = %v, want ErrNotSet", err)
	}
	if err := l.Set("right-password"); err != nil {
		t.Fatalf("Set: %v", err)
	}
	for _, bad := range []int{-1, lock.MaxAutoLockMinutes + 1} {
		if err := l.SetSettings(lock.Settings{AutoLockMinutes: bad}); protocol.ErrorCode(err) != protocol.EInvalid {
			t.Fatalf("SetSettings(%d minutes) = %v, want code %s", bad, err, protocol.EInvalid)
		}
	}
	if err := l.SetSettings(want); err != nil {
		t.Fatalf("SetSettings: %v", err)
	}
	// A new password keeps the settings, and so does a restart.
	if err := l.Set("another-password"); err != nil {
		t.Fatalf("Set: %v", err)
	}
	l = mustOpen(t, st, svc, c)
	if got := l.Settings(); got != want {
		t.Fatalf("Settings after restart = %+v, want %+v", got, want)
	}
}

func TestClear(t *testing.T) {
	st, svc := testStore(t)
	c := newClock()
	l := mustOpen(t, st, svc, c)
	if err := l.Clear(); err != nil {
		t.Fatalf("Clear with nothing set = %v, want nil", err)
	}
	if err := l.Set("right-password"); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if err := l.SetSettings(lock.Settings{AutoLockMinutes: 5}); err != nil {
		t.Fatalf("SetSettings: %v", err)
	}
	if err := l.Clear(); err != nil {
		t.Fatalf("Clear: %v", err)
	}
	if l.IsSet() {
		t.Fatalf("IsSet after Clear = true, want false")
	}
	if err := l.Verify("right-password"); !errors.Is(err, lock.ErrNotSet) {
		t.Fatalf("Verify after Clear = %v, want ErrNotSet", err)
	}
	l = mustOpen(t, st, svc, c)
	if l.IsSet() || l.Settings() != (lock.Settings{}) {
		t.Fatalf("after Clear and restart: IsSet %v, Settings %+v, want false and zero", l.IsSet(), l.Settings())
	}
	if _, err := st.Get(svc, lock.DefaultUser); err == nil {
		t.Fatalf("keyring entry still present after Clear")
	}
}

func TestDamagedRecord(t *testing.T) {
	tests := []struct {
		name, rec string
		openErr   bool
	}{
		{"not json", "xyz", true},
		{"no hash", `{"failures":1}`, true},
		{"huge memory", `{"hash":"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5"}`, false},
		{"other algorithm", `{"hash":"$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &secret.Memory{}
			if err := st.Set("svc", lock.DefaultUser, tt.rec); err != nil {
				t.Fatal(err)
			}
			l, err := lock.Open(lock.Options{Store: st, Service: "svc", Params: argon2id.TestParams})
			if tt.openErr {
				if err == nil {
					t.Fatalf("Open = nil, want an error")
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if err := l.Verify("whatever"); err == nil || errors.Is(err, lock.ErrWrongPassword) {
				t.Fatalf("Verify against a damaged hash = %v, want a malformed-hash error", err)
			}
		})
	}
}
