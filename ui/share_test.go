//go:build ci

package ui

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/client/secret"
	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/protocol"
)

// fyneQueue stands in for the Fyne thread in these tests: work posts its
// results here and the test goroutine runs them while it waits.
type fyneQueue struct {
	mu     sync.Mutex
	fns    []func()      // guarded by mu
	notify chan struct{} // closed and replaced on every post; guarded by mu
}

func newFyneQueue() *fyneQueue { return &fyneQueue{notify: make(chan struct{})} }

func (q *fyneQueue) post(fn func()) {
	q.mu.Lock()
	q.fns = append(q.fns, fn)
	close(q.notify)
	q.notify = make(chan struct{})
	q.mu.Unlock()
}

// until runs posted functions until cond holds, failing after 10 seconds.
func (q *fyneQueue) until(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		q.mu.Lock()
		fns, notify := q.fns, q.notify
		q.fns = nil
		q.mu.Unlock()
		for _, fn := range fns {
			fn()
		}
		if cond() {
			return
		}
		if len(fns) > 0 {
			continue
		}
		select {
		case <-notify:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// newQueueWorker is a worker whose results run on q; it is closed when the
// test ends.
func newQueueWorker(t testing.TB, q *fyneQueue) *worker {
	w := newWorker(q.post, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(w.close)
	return w
}

// signedIn signs u in through the HTTP API and opens a real engine for it
// with a data folder of its own; the engine is closed when the test ends.
func signedIn(t testing.TB, env *servertest.Env, u *servertest.User) (*client.Engine, client.Options) {
	t.Helper()
	opt := client.Options{DataDir: t.TempDir(), Secrets: &secret.Memory{}, RequestTimeout: 5 * time.Second}
	ctx := context.Background()
	acct, _, err := client.SignIn(ctx, opt, env.URL, u.Email, u.Password, u.Profile.WorkspaceID)
	if err != nil {
		t.Fatalf("SignIn(%s): %v", u.Profile.Name, err)
	}
	eng, err := client.Open(ctx, opt, acct)
	if err != nil {
		t.Fatalf("Open(%s): %v", u.Profile.Name, err)
	}
	t.Cleanup(func() { eng.Close() })
	awaitState(t, eng, "online and synced", func(st client.State) bool {
		return st.Conn.Online && !st.Conn.CatchingUp && st.Workspace.ID != "" && st.Pending == 0
	})
	return eng, opt
}

// awaitState waits until cond holds for eng's state.
func awaitState(t testing.TB, eng *client.Engine, what string, cond func(client.State) bool) client.State {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var last client.State
	for st := range eng.Watch(ctx) {
		last = st
		if cond(st) {
			return st
		}
	}
	t.Fatalf("timed out waiting for %s; conn %+v, pending %d, notices %+v", what, last.Conn, last.Pending, last.Notices)
	return last
}

// visibleButton returns the visible button labelled text under o, or nil.
func visibleButton(t *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	var found *widget.Button
	walkVisible(t, o, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && found == nil {
			found = b
		}
	})
	return found
}

// topButton finds a button in the topmost overlay (a dialog) of w.
func topButton(t *testing.T, w fyne.Window, text string) *widget.Button {
	t.Helper()
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatalf("no dialog open, want one with a %q button", text)
	}
	b := visibleButton(t, top, text)
	if b == nil {
		t.Fatalf("no %q button in the dialog", text)
	}
	return b
}

// walkVisible calls fn for o and every visible object inside it.
func walkVisible(t *testing.T, o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	fn(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walkVisible(t, c, fn)
		}
	case fyne.Widget:
		r := test.TempWidgetRenderer(t, x)
		for _, c := range r.Objects() {
			walkVisible(t, c, fn)
		}
	}
}

// decodeQR reads a QR code in img with an independent decoder.
func decodeQR(t testing.TB, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatalf("bitmap: %v", err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("decode QR: %v", err)
	}
	return res.GetText()
}

// renderedImage crops the window capture to where o is drawn.
func renderedImage(t testing.TB, w fyne.Window, o fyne.CanvasObject) image.Image {
	t.Helper()
	capture := w.Canvas().Capture()
	scale := w.Canvas().Scale()
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	size := o.Size()
	r := image.Rect(int(pos.X*scale), int(pos.Y*scale), int((pos.X+size.Width)*scale), int((pos.Y+size.Height)*scale))
	if r.Empty() || !r.In(capture.Bounds()) {
		t.Fatalf("object at %v is not inside the window capture %v", r, capture.Bounds())
	}
	sub, ok := capture.(interface {
		SubImage(image.Rectangle) image.Image
	})
	if !ok {
		t.Fatalf("capture %T cannot be cropped", capture)
	}
	return sub.SubImage(r)
}

type shareWorld struct {
	env   *servertest.Env
	acme  protocol.Workspace
	beta  protocol.Workspace
	alice *servertest.User // Acme
	bob   *servertest.User // Beta
}

func newShareWorld(t *testing.T) *shareWorld {
	t.Helper()
	env := servertest.New(t)
	w := &shareWorld{env: env, acme: env.CreateWorkspace("Acme"), beta: env.CreateWorkspace("Beta")}
	w.alice = env.CreateMember(w.acme.ID, "Alice Kim", map[string]string{"title": "Designer", "phone": "+82 10-1234-5678"})
	w.bob = env.CreateMember(w.beta.ID, "Bob Lee", nil)
	return w
}

func showShare(t *testing.T, eng shareEngine) (*shareDialog, fyne.Window, *fyneQueue) {
	t.Helper()
	test.NewTempApp(t)
	win := test.NewTempWindow(t, widget.NewLabel(""))
	win.Resize(fyne.NewSize(640, 860))
	q := newFyneQueue()
	d := newShareDialog(newQueueWorker(t, q), eng, win)
	d.dlg.Show()
	t.Cleanup(d.dlg.Hide)
	return d, win, q
}

func TestShareBothLinks(t *testing.T) {
	w := newShareWorld(t)
	alice, _ := signedIn(t, w.env, w.alice)
	bob, _ := signedIn(t, w.env, w.bob)
	d, win, q := showShare(t, alice)
	q.until(t, "both links", func() bool { return d.once.URL != "" && d.qr.URL != "" })

	if d.once.Kind != protocol.LinkOnce || d.qr.Kind != protocol.LinkQR {
		t.Fatalf("link kinds = %s, %s; want %s, %s", d.once.Kind, d.qr.Kind, protocol.LinkOnce, protocol.LinkQR)
	}
	for _, l := range []protocol.ProfileLink{d.once, d.qr} {
		if !strings.HasPrefix(l.URL, w.env.URL+"/p/") {
			t.Fatalf("link %q, want it under %s/p/", l.URL, w.env.URL)
		}
	}
	if got := d.onceURL.Text; got != d.once.URL {
		t.Fatalf("one-time link shown = %q, want %q", got, d.once.URL)
	}

	t.Run("countdown", func(t *testing.T) {
		expires := time.UnixMilli(d.once.ExpiresAt)
		tests := []struct {
			before time.Duration
			want   string
			copyOK bool
		}{
			{59*time.Minute + 59*time.Second, "Expires in 59:59", true},
			{90 * time.Second, "Expires in 1:30", true},
			{500 * time.Millisecond, "Expires in 0:01", true},
			{0, "This link has expired.", false},
		}
		for _, tt := range tests {
			d.now = func() time.Time { return expires.Add(-tt.before) }
			d.tick()
			if got := d.onceLeft.Text; got != tt.want {
				t.Errorf("%v before expiry: shows %q, want %q", tt.before, got, tt.want)
			}
			if got := !d.onceCopy.Disabled(); got != tt.copyOK {
				t.Errorf("%v before expiry: copy enabled %v, want %v", tt.before, got, tt.copyOK)
			}
		}
		if !d.onceRenew.Visible() {
			t.Fatalf("[New link] hidden after expiry, want shown")
		}
		old := d.once.URL
		d.now = time.Now
		test.Tap(d.onceRenew)
		q.until(t, "a new one-time link", func() bool { return d.once.URL != old && d.once.URL != "" })
		if d.onceCopy.Disabled() || d.onceRenew.Visible() {
			t.Fatalf("after [New link]: copy disabled %v, renew shown %v; want enabled, hidden", d.onceCopy.Disabled(), d.onceRenew.Visible())
		}
	})

	t.Run("copy", func(t *testing.T) {
		test.Tap(d.onceCopy)
		if got := fyne.CurrentApp().Clipboard().Content(); got != d.once.URL {
			t.Fatalf("clipboard after copying the one-time link = %q, want %q", got, d.once.URL)
		}
		test.Tap(visibleButton(t, d.qrBody, "Copy"))
		if got := fyne.CurrentApp().Clipboard().Content(); got != d.qr.URL {
			t.Fatalf("clipboard after copying the QR link = %q, want %q", got, d.qr.URL)
		}
	})

	t.Run("QR as rendered", func(t *testing.T) {
		got := decodeQR(t, renderedImage(t, win, d.qrImage))
		if got != d.qr.URL {
			t.Fatalf("QR on screen decodes to %q, want %q", got, d.qr.URL)
		}
		// The decoded link resolves on the server: Bob sees Alice's card.
		prev, err := bob.ViewLink(context.Background(), got)
		if err != nil {
			t.Fatalf("ViewLink(decoded QR): %v", err)
		}
		if prev.Card.Name != "Alice Kim" || prev.Kind != protocol.LinkQR {
			t.Fatalf("decoded QR link shows %+v, want Alice Kim's QR card", prev)
		}
		resp, err := http.Get(got)
		if err != nil {
			t.Fatalf("GET %s: %v", got, err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !bytes.Contains(page, []byte("Alice Kim")) {
			t.Fatalf("GET decoded QR link: status %d, page has the name %v; want 200 and true", resp.StatusCode, bytes.Contains(page, []byte("Alice Kim")))
		}
	})

	t.Run("save PNG", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "qr.png")
		wc, err := storage.Writer(storage.NewFileURI(path))
		if err != nil {
			t.Fatalf("writer: %v", err)
		}
		d.saveQRTo(wc, nil)
		q.until(t, "the PNG saved", func() bool { return strings.Contains(d.status.Text, "qr.png") })
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		img, err := png.Decode(f)
		if err != nil {
			t.Fatalf("saved file is not a PNG: %v", err)
		}
		if got := decodeQR(t, img); got != d.qr.URL {
			t.Fatalf("saved PNG decodes to %q, want %q", got, d.qr.URL)
		}
		zbar, err := exec.LookPath("zbarimg")
		if err != nil {
			t.Log("zbarimg is not installed: the second decoder is skipped")
			return
		}
		out, err := exec.Command(zbar, "--raw", "-q", path).Output()
		if err != nil {
			t.Fatalf("zbarimg: %v", err)
		}
		if got := strings.TrimSpace(string(out)); got != d.qr.URL {
			t.Fatalf("zbarimg reads %q, want %q", got, d.qr.URL)
		}
	})

	t.Run("reset", func(t *testing.T) {
		old := d.qr.URL
		test.Tap(d.qrReset)
		test.Tap(topButton(t, win, "Reset link"))
		q.until(t, "a new QR link", func() bool { return d.qr.URL != old && d.qr.URL != "" })
		if got := decodeQR(t, renderedImage(t, win, d.qrImage)); got != d.qr.URL {
			t.Fatalf("QR on screen after reset decodes to %q, want the new link %q", got, d.qr.URL)
		}
		if _, err := bob.ViewLink(context.Background(), old); protocol.ErrorCode(err) != protocol.ELinkInvalid {
			t.Fatalf("ViewLink(old QR link) = %v, want %s", err, protocol.ELinkInvalid)
		}
	})
}

func TestShareExternalChatOff(t *testing.T) {
	w := newShareWorld(t)
	w.env.SetExternalChat(w.acme, false)
	alice, _ := signedIn(t, w.env, w.alice)
	d, win, _ := showShare(t, alice)
	if d.onceURL != nil || d.qrImage != nil {
		t.Fatalf("share dialog with external chat off has link widgets, want none")
	}
	var texts []string
	walkVisible(t, win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			texts = append(texts, l.Text)
		}
	})
	all := strings.Join(texts, "\n")
	if !strings.Contains(all, "does not allow chatting with external members") || strings.Contains(all, "/p/") {
		t.Fatalf("dialog says %q; want the admin notice and no link", all)
	}
}

// offlineShare is an engine that cannot reach the server.
type offlineShare struct{ st client.State }

func (e offlineShare) State() client.State { return e.st }

func (offlineShare) OneTimeLink(context.Context) (protocol.ProfileLink, error) {
	return protocol.ProfileLink{}, protocol.Errorf(protocol.EOffline, "not connected")
}

func (e offlineShare) QRLink(ctx context.Context) (protocol.ProfileLink, error) {
	return e.OneTimeLink(ctx)
}

func (e offlineShare) ResetQRLink(ctx context.Context) (protocol.ProfileLink, error) {
	return e.OneTimeLink(ctx)
}

func (e offlineShare) RevokeAllLinks(ctx context.Context) (protocol.ProfileLink, error) {
	return e.OneTimeLink(ctx)
}

func (offlineShare) LiveLinks(context.Context) ([]protocol.LiveLink, error) {
	return nil, protocol.Errorf(protocol.EOffline, "not connected")
}

func (offlineShare) RevokeLink(context.Context, string) error {
	return protocol.Errorf(protocol.EOffline, "not connected")
}

func TestShareOffline(t *testing.T) {
	var st client.State
	st.Workspace.Settings.ExternalChat = true
	d, _, q := showShare(t, offlineShare{st})
	q.until(t, "both sections answered", func() bool {
		return visibleButton(t, d.onceBody, "Try again") != nil && visibleButton(t, d.qrBody, "Try again") != nil
	})
	var texts []string
	walkVisible(t, d.qrBody, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			texts = append(texts, l.Text)
		}
	})
	if got := strings.Join(texts, "\n"); !strings.Contains(got, "You are offline") {
		t.Fatalf("QR section says %q, want the offline message", got)
	}
}

func TestClockText(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{time.Hour, "1:00:00"},
		{time.Hour - time.Millisecond, "1:00:00"},
		{59*time.Minute + 59*time.Second, "59:59"},
		{61 * time.Second, "1:01"},
		{time.Millisecond, "0:01"},
		{0, "0:00"},
	}
	for _, tt := range tests {
		if got := clockText(tt.d); got != tt.want {
			t.Errorf("clockText(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// BenchmarkQRView is making the QR code of a profile link and drawing it
// as the popup shows it (software renderer).
func BenchmarkQRView(b *testing.B) {
	test.NewTempApp(b)
	win := test.NewTempWindow(b, widget.NewLabel(""))
	win.Resize(fyne.NewSquareSize(qrSide + 20))
	const link = "https://talk.example.com/p/Y9Ih6blUOs0y9h0IWB0YLepUCHm49RRvDUmK1IjKYtA"
	for b.Loop() {
		v, err := newQRView(link)
		if err != nil {
			b.Fatal(err)
		}
		win.SetContent(v)
		_ = win.Canvas().Capture()
	}
}

// The list of my live one-time links, through the real engine and server:
// folded until opened, each link with its time left; [Revoke] kills one at
// once (the one shown above too); [Revoke all] asks first, then kills them
// all and shows the new QR link.
func TestShareLiveLinks(t *testing.T) {
	ctx := context.Background()
	w := newShareWorld(t)
	alice, _ := signedIn(t, w.env, w.alice)
	bob, _ := signedIn(t, w.env, w.bob)
	earlier := make([]protocol.ProfileLink, 2) // from popups opened before
	for i := range earlier {
		l, err := alice.OneTimeLink(ctx)
		if err != nil {
			t.Fatal(err)
		}
		earlier[i] = l
	}
	d, win, q := showShare(t, alice)
	q.until(t, "links and the list", func() bool { return d.once.URL != "" && d.qr.URL != "" && len(d.live.links) == 3 })
	if d.live.detail.Visible() {
		t.Fatal("the list is open at first, want it folded")
	}
	if got, want := d.live.header.Text, "My live one-time links (3)"; got != want {
		t.Fatalf("header = %q, want %q", got, want)
	}
	test.Tap(d.live.header)
	if !d.live.detail.Visible() {
		t.Fatal("tapping the header did not open the list")
	}
	q.until(t, "the list reloaded", func() bool { return len(d.live.links) == 3 })

	d.now = func() time.Time { return time.UnixMilli(d.once.ExpiresAt).Add(-10 * time.Minute) }
	d.tick()
	shown := d.live.row[d.once.ID]
	if shown == nil || !strings.Contains(shown.text.Text, "expires in 10:00") || !strings.Contains(shown.text.Text, "(shown above)") {
		t.Fatalf("row of the shown link = %+v, want its time left and (shown above)", shown)
	}
	if r := d.live.row[earlier[0].ID]; r == nil || strings.Contains(r.text.Text, "shown above") {
		t.Fatalf("row of an earlier link = %+v, want one not marked as shown", r)
	}
	d.now = time.Now

	t.Run("revoke one", func(t *testing.T) {
		test.Tap(d.live.row[earlier[0].ID].revoke)
		q.until(t, "the link gone from the list", func() bool { return len(d.live.links) == 2 && d.live.row[earlier[0].ID] == nil })
		if _, err := bob.ViewLink(ctx, earlier[0].URL); protocol.ErrorCode(err) != protocol.ELinkInvalid {
			t.Fatalf("ViewLink(revoked) = %v, want %s", err, protocol.ELinkInvalid)
		}
		if _, err := bob.ViewLink(ctx, earlier[1].URL); err != nil {
			t.Fatalf("ViewLink(the other earlier link) = %v, want it still live", err)
		}
	})

	t.Run("revoke the one shown", func(t *testing.T) {
		shownURL := d.once.URL
		test.Tap(d.live.row[d.once.ID].revoke)
		q.until(t, "the shown link revoked", func() bool { return len(d.live.links) == 1 && d.onceDead })
		if d.onceLeft.Text != "This link was revoked." || !d.onceCopy.Disabled() || !d.onceRenew.Visible() {
			t.Fatalf("after revoking the shown link: %q, copy disabled %v, [New link] shown %v", d.onceLeft.Text, d.onceCopy.Disabled(), d.onceRenew.Visible())
		}
		if _, err := bob.ViewLink(ctx, shownURL); protocol.ErrorCode(err) != protocol.ELinkInvalid {
			t.Fatalf("ViewLink(shown, revoked) = %v, want %s", err, protocol.ELinkInvalid)
		}
		test.Tap(d.onceRenew)
		q.until(t, "a new link, listed", func() bool { return !d.onceDead && len(d.live.links) == 2 })
	})

	t.Run("revoke all", func(t *testing.T) {
		oldQR, shownURL := d.qr.URL, d.once.URL
		test.Tap(d.live.all)
		test.Tap(topButton(t, win, "Revoke all"))
		q.until(t, "everything revoked and a new QR", func() bool {
			return d.qr.URL != oldQR && d.qr.URL != "" && len(d.live.links) == 0 && d.onceDead
		})
		for _, l := range []string{oldQR, shownURL, earlier[1].URL} {
			if _, err := bob.ViewLink(ctx, l); protocol.ErrorCode(err) != protocol.ELinkInvalid {
				t.Errorf("ViewLink(%s) after revoke all = %v, want %s", l, err, protocol.ELinkInvalid)
			}
		}
		if got := decodeQR(t, renderedImage(t, win, d.qrImage)); got != d.qr.URL {
			t.Fatalf("QR on screen decodes to %q, want the new link %q", got, d.qr.URL)
		}
		if _, err := bob.ViewLink(ctx, d.qr.URL); err != nil {
			t.Fatalf("ViewLink(new QR) = %v, want it live", err)
		}
		if !d.live.empty.Visible() || d.live.header.Text != "My live one-time links" {
			t.Fatalf("after revoke all: empty note shown %v, header %q", d.live.empty.Visible(), d.live.header.Text)
		}
	})
}
