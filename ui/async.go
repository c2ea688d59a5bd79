package ui

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/protocol"
)

// worker runs engine calls off the Fyne thread and hands their results back
// to it. It owns the goroutines screens start (run, tickOnFyne), so quitting
// can wait for them; the watch loop of an open workspace belongs to its
// session. Screens show their dialogs through it too, so that Esc and Enter
// reach the newest one.
type worker struct {
	// post runs fn on the Fyne thread: fyne.Do in the app, a queue the test
	// goroutine drains in tests.
	post func(fn func())
	log  *slog.Logger
	// dialogs are the dialogs shown on each window. Fyne thread only.
	dialogs *dialogStack

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newWorker(post func(func()), log *slog.Logger) *worker {
	ctx, cancel := context.WithCancel(context.Background())
	return &worker{post: post, log: log, ctx: ctx, cancel: cancel, dialogs: newDialogStack()}
}

// run calls work on its own goroutine and then, on the Fyne thread, done
// (when not nil) with work's error, nil on success. Results travel in the
// closures; fetch carries one for you.
func (w *worker) run(work func(ctx context.Context) error, done func(err error)) {
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		err := work(w.ctx)
		if w.ctx.Err() != nil || done == nil {
			return // shutting down: no screen wants the answer
		}
		w.post(func() { done(err) })
	}()
}

// fetch is run for work with a result: get runs off the Fyne thread and
// done gets its value and error on the Fyne thread. run is (*App).run or
// (*worker).run.
func fetch[T any](run func(work func(context.Context) error, done func(error)), get func(context.Context) (T, error), done func(T, error)) {
	var v T
	run(func(ctx context.Context) error {
		var err error
		v, err = get(ctx)
		return err
	}, func(err error) { done(v, err) })
}

// close cancels running work and waits for it.
func (w *worker) close() {
	w.cancel()
	w.wg.Wait()
}

// errorText is an error in plain words in the user's language, by its
// code and reason (see refusalText).
func errorText(err error) string {
	if errors.Is(err, client.ErrAccountsDamaged) {
		return lang.L("The list of workspaces signed in on this computer (accounts.json in the data folder) is damaged. Move that file away and sign in again.")
	}
	if errors.Is(err, client.ErrLocalDataKey) {
		return lang.L("This workspace's data on this computer cannot be read: its key in the OS keyring is missing or different. Sign in again to start over; the unreadable file is kept.")
	}
	var pe *protocol.Error
	if !errors.As(err, &pe) {
		return lang.L("Something went wrong. Please try again.")
	}
	return refusalText(pe)
}

// postFyne is the production post: fyne.Do.
func postFyne(fn func()) { fyne.Do(fn) }
