// Command barewindow is the yardstick of scripts/membench.sh: a Fyne window
// with one label, built from the same go.mod as the app. It shows the
// window, waits as worktalk --startup-report does, and prints its memory in
// the same format.
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
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

// rssMB reads the resident set size from /proc (Linux only; 0 elsewhere).
func rssMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(rest), "%f", &kb)
			return kb / 1000
		}
	}
	return 0
}
