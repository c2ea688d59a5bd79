package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"fyne.io/fyne/v2"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/internal/procmem"
)

// started is as close to the process start as Go code gets.
var started = time.Now()

// startupReport prints how long start-up took and the memory in use once
// my own room shows, then quits the app (--startup-report).
type startupReport struct {
	out  io.Writer
	quit func()
}

func newStartupReport(out io.Writer, quit func()) *startupReport {
	return &startupReport{out: out, quit: quit}
}

// probe runs on the Fyne thread. The content is set when it is called;
// the next turn of the event loop (one queued function later) is when the
// driver has had its chance to paint it: that is what is reported.
func (r *startupReport) probe(event string) {
	ready := time.Since(started)
	go fyne.Do(func() {
		painted := time.Since(started)
		fmt.Fprintf(r.out, "startup: %s ready %.1f ms, next loop turn %.1f ms\n", event, ms(ready), ms(painted))
		if event != "room" {
			return
		}
		go func() {
			// Let the first sync and pictures settle before measuring memory.
			time.Sleep(2 * time.Second)
			runtime.GC()
			var st runtime.MemStats
			runtime.ReadMemStats(&st)
			fmt.Fprintf(r.out, "memory: rss %.1f MB, go heap in use %.1f MB, go heap from OS %.1f MB\n",
				rssMB(), float64(st.HeapInuse)/1e6, float64(st.HeapSys)/1e6)
			fyne.Do(r.quit)
		}()
	})
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// rssMB is this process's resident set in MB (0 where /proc is missing).
func rssMB() float64 {
	m, _ := procmem.Read(os.Getpid())
	return float64(m.RSS) / 1e6
}

// writeNotes fills my own room with n notes through the engine (as typing
// them would), and waits until the server has them all.
func writeNotes(ctx context.Context, opt client.Options, acct client.Account, n int) error {
	eng, err := client.Open(ctx, opt, acct)
	if err != nil {
		return err
	}
	defer eng.Close()
	room, err := eng.OpenSelfRoom(ctx)
	if err != nil {
		return err
	}
	for i := range n {
		text := fmt.Sprintf("Note %d: 회의 메모와 할 일 목록 — keep this for later.", i+1)
		if i%7 == 0 {
			text += "\nSecond line with more detail about the task."
		}
		if _, err := eng.SendMessage(ctx, room, text); err != nil {
			return fmt.Errorf("write note %d: %w", i+1, err)
		}
	}
	return waitSent(ctx, eng, 5*time.Minute)
}

// waitSent waits until the server has everything the engine had to send.
func waitSent(ctx context.Context, eng *client.Engine, limit time.Duration) error {
	wctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for st := range eng.Watch(wctx) {
		if st.Conn.Online && !st.Conn.CatchingUp && st.Pending == 0 {
			return nil
		}
	}
	return fmt.Errorf("changes not all sent after %v", limit)
}
