// Package lock is the app's lock mode: the lock password (only its Argon2id
// hash is kept, in the OS keyring), the growing waits after wrong passwords,
// the lock settings, and an idle tracker for auto-lock.
//
// Everything is one keyring entry holding a small JSON record: the hash,
// the failure count with the time the next attempt is allowed, and the
// settings. The waits live next to the hash, not in a file in the data
// folder, so resetting them takes the same access as removing the hash
// itself, a restart keeps them, and one write updates all of it together.
package lock

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"worktalk.dev/worktalk/client/secret"
	"worktalk.dev/worktalk/internal/argon2id"
	"worktalk.dev/worktalk/protocol"
)

// Default keyring names of the lock record. The lock guards the whole app
// window, so there is one per device user, not one per workspace.
const (
	DefaultService = "worktalk-lock"
	DefaultUser    = "app"
)

var (
	// ErrNotSet: no lock password has been set.
	ErrNotSet = errors.New("no lock password is set")
	// ErrWrongPassword: the password does not match.
	ErrWrongPassword = errors.New("wrong lock password")
)

// WaitError says an attempt came before the wait after earlier wrong
// passwords was over. The password was not checked and the attempt does not
// count as a failure.
type WaitError struct {
	Until time.Time
}

func (e *WaitError) Error() string {
	return fmt.Sprintf("too many wrong passwords; try again at %s", e.Until.Format(time.TimeOnly))
}

// Settings are the user's lock preferences. They are not secret; they are
// kept with the password because they mean nothing without one.
type Settings struct {
	AutoLockMinutes int  `json:"auto_lock_min"` // lock after this many idle minutes; 0 = off
	StartLocked     bool `json:"start_locked"`  // show the lock screen when the app starts
}

// DefaultParams are the Argon2id cost of new lock password hashes. They take
// about 170 ms per check on a 2-core machine (see BenchmarkUnlock): slow
// enough that guessing costs, quick enough that nobody waits on the lock
// screen. 64 MiB is released right after the check.
var DefaultParams = argon2id.Params{Memory: 64 * 1024, Time: 8, Threads: 2}

// MaxAutoLockMinutes bounds Settings.AutoLockMinutes (one day).
const MaxAutoLockMinutes = 24 * 60

// Options configure Open.
type Options struct {
	Store   secret.Store     // nil = the OS keyring
	Service string           // keyring service; "" = DefaultService
	User    string           // keyring user; "" = DefaultUser
	Params  argon2id.Params  // hash cost of new passwords; zero = DefaultParams
	Now     func() time.Time // nil = time.Now
}

// record is the JSON stored in the keyring entry.
type record struct {
	Hash     string `json:"hash"`               // PHC string of the Argon2id hash
	Failures int    `json:"failures,omitempty"` // wrong passwords in a row
	NextAt   int64  `json:"next_at,omitempty"`  // unix ms before which no attempt is checked
	// Locked is set while the app is locked, so that an app that stops
	// locked in any way (quit, crash, kill -9, power loss) starts locked.
	// A match in Verify clears it in the same write.
	Locked bool `json:"locked,omitempty"`
	Settings
}

// Lock is the lock password of this device. It is safe for concurrent use.
type Lock struct {
	opt Options

	// attemptMu serialises Verify so that guesses cannot run in parallel
	// and each one sees the failures of the one before.
	attemptMu sync.Mutex

	mu  sync.Mutex
	rec *record // guarded by mu; nil when no password is set
}

// Open reads the lock record from the store. A missing record is not an
// error: IsSet then reports false.
func Open(opt Options) (*Lock, error) {
	if opt.Store == nil {
		opt.Store = secret.Keyring{}
	}
	if opt.Service == "" {
		opt.Service = DefaultService
	}
	if opt.User == "" {
		opt.User = DefaultUser
	}
	if opt.Params == (argon2id.Params{}) {
		opt.Params = DefaultParams
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	l := &Lock{opt: opt}
	s, err := opt.Store.Get(opt.Service, opt.User)
	if errors.Is(err, secret.ErrNotFound) {
		return l, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read lock: %w", err)
	}
	var rec record
	if err := json.Unmarshal([]byte(s), &rec); err != nil || rec.Hash == "" {
		return nil, fmt.Errorf("read lock: the stored lock record is damaged")
	}
	l.rec = &rec
	return l, nil
}

// IsSet reports whether a lock password is set.
func (l *Lock) IsSet() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rec != nil
}

// Set sets a new lock password (checked with protocol.ValidateLockPassword:
// a *protocol.Error with Field "password"). The settings are kept; earlier
// failures are forgotten.
func (l *Lock) Set(pw string) error {
	if err := protocol.ValidateLockPassword(pw); err != nil {
		return err
	}
	hash, err := argon2id.Hash(pw, l.opt.Params)
	if err != nil {
		return fmt.Errorf("set lock password: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	rec := record{Hash: hash}
	if l.rec != nil {
		rec.Settings, rec.Locked = l.rec.Settings, l.rec.Locked
	}
	if err := l.saveLocked(&rec); err != nil {
		return fmt.Errorf("set lock password: %w", err)
	}
	return nil
}

// Verify checks pw. It returns nil on a match, ErrWrongPassword,
// *WaitError while an earlier wait is not over, or ErrNotSet.
//
// The failure is written down before the slow hash runs and taken back on
// a match, so killing the app mid-check does not give a free guess.
func (l *Lock) Verify(pw string) error {
	l.attemptMu.Lock()
	defer l.attemptMu.Unlock()

	l.mu.Lock()
	if l.rec == nil {
		l.mu.Unlock()
		return ErrNotSet
	}
	now := l.opt.Now()
	if until := l.nextAttemptLocked(now); until.After(now) {
		l.mu.Unlock()
		return &WaitError{Until: until}
	}
	hash := l.rec.Hash
	counted := *l.rec
	counted.Failures++
	counted.NextAt = now.Add(WaitAfter(counted.Failures)).UnixMilli()
	err := l.saveLocked(&counted)
	l.mu.Unlock()
	if err != nil {
		return fmt.Errorf("verify lock password: %w", err)
	}

	ok, err := argon2id.Verify(pw, hash)
	if err != nil {
		return fmt.Errorf("verify lock password: %w", err)
	}
	if !ok {
		return ErrWrongPassword
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rec == nil || l.rec.Hash != hash { // cleared or changed meanwhile
		return ErrWrongPassword
	}
	reset := *l.rec
	reset.Failures, reset.NextAt, reset.Locked = 0, 0, false
	if err := l.saveLocked(&reset); err != nil {
		return fmt.Errorf("verify lock password: %w", err)
	}
	return nil
}

// Failures returns the number of wrong passwords in a row.
func (l *Lock) Failures() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rec == nil {
		return 0
	}
	return l.rec.Failures
}

// NextAttempt returns the time before which Verify answers *WaitError; a
// time not after now means an attempt is allowed.
func (l *Lock) NextAttempt() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.nextAttemptLocked(l.opt.Now())
}

// nextAttemptLocked never lies more than MaxWait ahead, so that a clock set
// back cannot lock the user out for longer than the schedule allows.
func (l *Lock) nextAttemptLocked(now time.Time) time.Time {
	if l.rec == nil || l.rec.NextAt == 0 {
		return time.Time{}
	}
	next := time.UnixMilli(l.rec.NextAt)
	if limit := now.Add(MaxWait); next.After(limit) {
		return limit
	}
	return next
}

// Locked reports whether the app was locked when it last wrote down its
// state: it stopped while locked and must start locked.
func (l *Lock) Locked() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rec != nil && l.rec.Locked
}

// SetLocked writes down that the app is locked (true), so that it starts
// locked after any kind of stop until a password matches; Verify clears
// it. It needs a password (ErrNotSet). Writing the state it already has
// writes nothing.
func (l *Lock) SetLocked(on bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rec == nil {
		return ErrNotSet
	}
	if l.rec.Locked == on {
		return nil
	}
	rec := *l.rec
	rec.Locked = on
	if err := l.saveLocked(&rec); err != nil {
		return fmt.Errorf("save locked state: %w", err)
	}
	return nil
}

// Settings returns the lock settings; zero when no password is set.
func (l *Lock) Settings() Settings {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rec == nil {
		return Settings{}
	}
	return l.rec.Settings
}

// SetSettings saves the lock settings. It needs a password (ErrNotSet) and
// answers a *protocol.Error for minutes out of 0..MaxAutoLockMinutes.
func (l *Lock) SetSettings(s Settings) error {
	if s.AutoLockMinutes < 0 || s.AutoLockMinutes > MaxAutoLockMinutes {
		return protocol.FieldError(protocol.EInvalid, "auto_lock", "auto-lock must be 0 to %d minutes", MaxAutoLockMinutes)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rec == nil {
		return ErrNotSet
	}
	rec := *l.rec
	rec.Settings = s
	if err := l.saveLocked(&rec); err != nil {
		return fmt.Errorf("save lock settings: %w", err)
	}
	return nil
}

// Clear removes the password, the waits and the settings: lock mode is off.
func (l *Lock) Clear() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.opt.Store.Delete(l.opt.Service, l.opt.User); err != nil {
		return fmt.Errorf("clear lock: %w", err)
	}
	l.rec = nil
	return nil
}

// saveLocked writes rec to the store and, once that worked, makes it current.
func (l *Lock) saveLocked(rec *record) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if err := l.opt.Store.Set(l.opt.Service, l.opt.User, string(b)); err != nil {
		return err
	}
	l.rec = rec
	return nil
}
