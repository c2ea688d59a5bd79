// Command barewindow is the yardstick of scripts/membench.sh: a Fyne window
// with one label, built from the same go.mod as the app. It shows the
// window, waits as worktalk --startup-report does, and prints its memory in
// the same format.
package main

import (
	"fmt"
	"os"
	"runtime"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"

	"worktalk.dev/worktalk/internal/procmem"
)

func main() {
	a := app.New()
	w := a.NewWindow("bare")
	w.SetContent(widget.NewLabel("Hello"))
	w.Resize(fyne.NewSize(1040, 700))
	go func() {
		time.Sleep(3 * time.Second) // shown and painted, as the app after its first room
		runtime.GC()
		var st runtime.MemStats
		runtime.ReadMemStats(&st)
		fmt.Printf("memory: rss %.1f MB, go heap in use %.1f MB, go heap from OS %.1f MB\n",
			rssMB(), float64(st.HeapInuse)/1e6, float64(st.HeapSys)/1e6)
		fyne.Do(a.Quit)
	}()
	w.ShowAndRun()
}

// rssMB is this process's resident set in MB (0 where /proc is missing).
func rssMB() float64 {
	m, _ := procmem.Read(os.Getpid())
	return float64(m.RSS) / 1e6
}
