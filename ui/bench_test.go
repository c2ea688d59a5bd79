package ui

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// BenchmarkEnterToVisible times Enter in my own room until the message is
// in the room's list (appended and the list refreshed: "visible"), and
// until the engine has committed it locally ("stored"), through the real
// engine against an in-process server. It reports p50 and p99 of both.
func BenchmarkEnterToVisible(b *testing.B) {
	w := newWorld(b)
	u := w.env.CreateMember(w.ws.ID, "Alice Kim", nil)
	h := w.signedIn(b, u)
	test.Tap(h.app.main.chats.selfBtn)
	h.loop.until(b, "my room", func() bool { return h.app.main.room != nil && h.app.main.room.loaded })
	r := h.app.main.room
	lat := make([]time.Duration, 0, b.N)
	stored := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		text := fmt.Sprintf("note %d", i)
		r.input.SetText(text)
		start := time.Now()
		pressEnter(r.input, false)
		last, _ := r.msgAt(r.length() - 1 - boolInt(r.earlier()))
		if last.Text != text {
			b.Fatalf("last message shown = %q, want %q", last.Text, text)
		}
		lat = append(lat, time.Since(start))
		h.loop.until(b, "the stored message", func() bool {
			n := len(r.msgs)
			return n > 0 && r.msgs[n-1].Text == text && len(r.provisional) == 0
		})
		stored = append(stored, time.Since(start))
	}
	b.StopTimer()
	report := func(d []time.Duration, name string) {
		slices.Sort(d)
		b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, name+"-p50-ms")
		b.ReportMetric(float64(d[len(d)*99/100].Microseconds())/1000, name+"-p99-ms")
	}
	report(lat, "visible")
	report(stored, "stored")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
