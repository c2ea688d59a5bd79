//go:build ci

package ui

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"runtime"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"worktalk.dev/worktalk/client"
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

// trayApp is a test app with a tray that decodes each icon it is given,
// as the real tray does before it hands the pixels to D-Bus.
type trayApp struct {
	fyne.App
	icons int
}

func (a *trayApp) SetSystemTrayMenu(*fyne.Menu) {}
func (a *trayApp) SetSystemTrayIcon(r fyne.Resource) {
	if _, err := png.Decode(bytes.NewReader(r.Content())); err == nil {
		a.icons++
	}
}
func (a *trayApp) SetSystemTrayWindow(fyne.Window) {}

// BenchmarkUnreadUpdate times the work on the Fyne thread after a message
// arrives in a room that is not open, until the chats list, the total and
// the tray icon show the new count (and the notifier has looked at it),
// with 60 rooms in the list. It reports p50 and p99; the target is 16 ms
// (one frame) at p99.
func BenchmarkUnreadUpdate(b *testing.B) {
	ctx := context.Background()
	w := newWorld(b)
	kim := w.env.NewUser(w.ws.ID, "Kim Minji")
	fa := &trayApp{App: test.NewTempApp(b)}
	h := w.signedInOn(b, fa, kim)
	h.app.notify.after = func(time.Duration, func()) func() { return func() {} }
	var senders []*client.Engine
	var rooms []string
	for i := range 60 {
		u := w.env.NewUser(w.ws.ID, fmt.Sprintf("동료 %d", i))
		if i < 4 { // a few senders are enough; the rest fill the list
			e, _ := signedIn(b, w.env, u)
			senders = append(senders, e)
		}
	}
	for i := range 60 {
		id, err := senders[i%len(senders)].CreateGroupRoom(ctx, fmt.Sprintf("방 %d", i), []string{kim.ID()})
		if err != nil {
			b.Fatal(err)
		}
		rooms = append(rooms, id)
	}
	h.until("60 rooms", func() bool { return len(h.app.state().Rooms) >= 60 })
	runtime.LockOSThread() // the loop's CPU time is this thread's
	defer runtime.UnlockOSThread()
	var busy, busyCPU time.Duration
	h.loop.busy, h.loop.busyCPU = &busy, &busyCPU
	lat := make([]time.Duration, 0, b.N)
	cpu := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		room, from := rooms[i%len(rooms)], senders[i%len(rooms)%len(senders)]
		want := h.app.state().Unread + 1
		icons := fa.icons
		h.loop.drain()
		busy, busyCPU = 0, 0
		if _, err := from.SendMessage(ctx, room, fmt.Sprintf("메시지 %d", i)); err != nil {
			b.Fatal(err)
		}
		h.until("the new count", func() bool {
			return h.app.state().Unread == want && (h.app.tray == nil || h.app.tray.count == want)
		})
		if want <= 10 && fa.icons == icons {
			b.Fatalf("the tray icon did not change for %d unread", want)
		}
		lat = append(lat, busy)
		cpu = append(cpu, busyCPU)
	}
	b.StopTimer()
	h.loop.busy, h.loop.busyCPU = nil, nil
	for _, m := range []struct {
		d    []time.Duration
		name string
	}{{lat, "ui"}, {cpu, "ui-cpu"}} {
		slices.Sort(m.d)
		b.ReportMetric(float64(m.d[len(m.d)/2].Microseconds())/1000, m.name+"-p50-ms")
		b.ReportMetric(float64(m.d[len(m.d)*99/100].Microseconds())/1000, m.name+"-p99-ms")
	}
}
