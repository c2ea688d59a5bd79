package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/protocol"
)

// shareEngine is what "My profile link" needs of the engine.
type shareEngine interface {
	State() client.State
	OneTimeLink(ctx context.Context) (protocol.ProfileLink, error)
	QRLink(ctx context.Context) (protocol.ProfileLink, error)
	ResetQRLink(ctx context.Context) (protocol.ProfileLink, error)
	liveLinksEngine
}

// shareDialog is "My profile link": a one-time link that counts down, the
// list of my one-time links that still work, and a permanent QR link that
// can be saved as a PNG and reset. When the admin does not allow external
// chat it says so and shows no links.
type shareDialog struct {
	work *worker
	eng  shareEngine
	win  fyne.Window
	now  func() time.Time

	dlg      *dialog.CustomDialog
	body     fyne.CanvasObject
	scroll   *container.Scroll // body, when it is taller than the window
	stopTick func()

	once      protocol.ProfileLink
	onceDead  bool // the shown one-time link was revoked
	onceBody  *fyne.Container
	onceURL   *widget.Label
	onceLeft  *widget.Label
	onceCopy  *widget.Button
	onceRenew *widget.Button

	qr      protocol.ProfileLink
	qrBody  *fyne.Container
	qrImage *canvas.Image
	qrURL   *widget.Label
	qrReset *widget.Button

	live *liveLinks

	status *widget.Label // "Copied", "Saved", problems
}

// newShareDialog builds the dialog for eng's workspace and starts fetching
// the links. Show it with (App).showDialog(win, d.dlg) or d.dlg.Show().
func newShareDialog(work *worker, eng shareEngine, win fyne.Window) *shareDialog {
	d := &shareDialog{work: work, eng: eng, win: win, now: time.Now}
	d.status = widget.NewLabel("")
	d.status.Importance = widget.LowImportance
	d.status.Wrapping = fyne.TextWrapWord
	d.status.Hide() // until there is something to say

	if !eng.State().Workspace.Settings.ExternalChat {
		d.body = externalOffNotice()
	} else {
		d.body = d.buildLinks()
	}
	// The status stays in sight below the scrolling links, whose buttons
	// keep clear of the scroll bar.
	d.scroll = container.NewVScroll(container.New(layout.NewCustomPaddedLayout(0, 0, 0, theme.ScrollBarSize()), d.body))
	d.dlg = dialog.NewCustom(lang.L("My profile link"), lang.L("Close"), container.NewBorder(nil, d.status, nil, nil, d.scroll), win)
	d.fit()
	d.dlg.SetOnClosed(d.onClosed)
	if eng.State().Workspace.Settings.ExternalChat {
		d.loadOnce()
		d.loadQR()
		d.stopTick = tickOnFyne(work, time.Second, d.tick)
	}
	return d
}

func externalOffNotice() fyne.CanvasObject {
	l := widget.NewLabel(lang.L("Your workspace admin does not allow chatting with external members, so there is no profile link to share."))
	l.Wrapping = fyne.TextWrapWord
	return container.NewBorder(nil, nil, widget.NewIcon(theme.InfoIcon()), nil, l)
}

func (d *shareDialog) buildLinks() fyne.CanvasObject {
	d.onceURL = linkLabel()
	d.onceLeft = widget.NewLabel("")
	d.onceCopy = widget.NewButtonWithIcon(lang.L("Copy"), theme.ContentCopyIcon(), d.onCopyOnceTapped)
	d.onceRenew = widget.NewButtonWithIcon(lang.L("New link"), theme.ViewRefreshIcon(), d.onRenewOnceTapped)
	d.onceRenew.Hide()
	d.onceBody = container.NewVBox(widget.NewActivity())

	d.qrURL = linkLabel()
	d.qrReset = widget.NewButtonWithIcon(lang.L("Reset link"), theme.ViewRefreshIcon(), d.onResetQRTapped)
	d.qrReset.Importance = widget.DangerImportance
	d.qrBody = container.NewVBox(widget.NewActivity())
	d.live = newLiveLinks(d)

	onceHint := widget.NewLabel(lang.L("Valid for one hour and usable once. Send it to one person."))
	onceHint.Wrapping = fyne.TextWrapWord
	onceHint.Importance = widget.LowImportance
	qrHint := widget.NewLabel(lang.L("Permanent, for business cards and e-mail signatures. Reset it to make the old link and code stop working."))
	qrHint.Wrapping = fyne.TextWrapWord
	qrHint.Importance = widget.LowImportance

	return container.NewVBox(
		boldLabel(lang.L("One-time link")), onceHint, d.onceBody, d.live.fold,
		widget.NewSeparator(),
		boldLabel(lang.L("QR link")), qrHint, d.qrBody,
	)
}

// linkLabel shows a URL whole, broken anywhere: links have no spaces.
func linkLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapBreak
	l.Selectable = true
	return l
}

func (d *shareDialog) loadOnce() {
	d.onceBody.Objects = []fyne.CanvasObject{widget.NewActivity()}
	d.onceBody.Refresh()
	fetch(d.work.run, func(ctx context.Context) (protocol.ProfileLink, error) {
		return d.eng.OneTimeLink(ctx)
	}, func(link protocol.ProfileLink, err error) {
		if err != nil {
			d.showProblem(d.onceBody, err, d.loadOnce)
			return
		}
		d.once, d.onceDead = link, false
		d.onceURL.SetText(link.URL)
		d.onceCopy.Enable()
		d.onceRenew.Hide()
		d.onceBody.Objects = []fyne.CanvasObject{d.onceURL, container.NewBorder(nil, nil, nil,
			container.NewHBox(d.onceRenew, d.onceCopy), d.onceLeft)}
		d.onceBody.Refresh()
		d.tick()
		d.fit()
		d.live.load()
	})
}

func (d *shareDialog) loadQR() {
	d.fetchQR(d.eng.QRLink, "", nil)
}

// fetchQR shows the QR link that get returns (the current one or a new
// one), then the status done when it is not empty; then (if not nil) is
// told how it went.
func (d *shareDialog) fetchQR(get func(context.Context) (protocol.ProfileLink, error), done string, then func(error)) {
	d.qrBody.Objects = []fyne.CanvasObject{widget.NewActivity()}
	d.qrBody.Refresh()
	fetch(d.work.run, get, func(link protocol.ProfileLink, err error) {
		if then != nil {
			defer func() { then(err) }()
		}
		if err != nil {
			d.showProblem(d.qrBody, err, d.loadQR)
			return
		}
		img, err := newQRView(link.URL)
		if err != nil {
			d.showProblem(d.qrBody, err, d.loadQR)
			return
		}
		d.qr, d.qrImage = link, img
		d.qrURL.SetText(link.URL)
		copyBtn := widget.NewButtonWithIcon(lang.L("Copy"), theme.ContentCopyIcon(), d.onCopyQRTapped)
		save := widget.NewButtonWithIcon(lang.L("Save QR as PNG"), theme.DocumentSaveIcon(), d.onSaveQRTapped)
		d.qrBody.Objects = []fyne.CanvasObject{
			container.NewCenter(img), d.qrURL,
			container.NewHBox(copyBtn, save, layout.NewSpacer(), d.qrReset),
		}
		d.qrBody.Refresh()
		d.fit()
		if done != "" {
			d.setStatus(done, false)
		}
	})
}

// showProblem replaces a section with what went wrong and [Try again].
func (d *shareDialog) showProblem(section *fyne.Container, err error, retry func()) {
	text := errorText(err)
	if protocol.ErrorCode(err) == protocol.EExternalOff {
		text = lang.L("Your workspace admin does not allow chatting with external members, so there is no profile link to share.")
	}
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.WarningImportance
	section.Objects = []fyne.CanvasObject{l, container.NewHBox(widget.NewButton(lang.L("Try again"), retry))}
	section.Refresh()
	d.fit()
}

// fit sizes the dialog to its content, which grows as the links arrive,
// but never past the window: then the content scrolls.
func (d *shareDialog) fit() {
	if d.dlg == nil {
		return // still being built
	}
	chrome := d.dlg.MinSize().Subtract(d.scroll.MinSize())
	want := d.scroll.Content.MinSize().Add(chrome)
	room := d.win.Canvas().Size().SubtractWidthHeight(2*theme.Padding(), 2*theme.Padding())
	d.dlg.Resize(fyne.NewSize(min(max(want.Width, 480), room.Width), min(want.Height, room.Height)))
}

// tick updates the one-time link's time left and the list of live links;
// once the link has run out it cannot be copied and [New link] makes
// another.
func (d *shareDialog) tick() {
	if d.live != nil {
		d.live.tick()
	}
	if d.once.URL == "" || d.onceDead {
		return
	}
	left := time.UnixMilli(d.once.ExpiresAt).Sub(d.now())
	if left <= 0 {
		d.onceLeft.SetText(lang.L("This link has expired."))
		d.onceLeft.Importance = widget.WarningImportance
		d.onceLeft.Refresh()
		d.onceCopy.Disable()
		d.onceRenew.Show()
		return
	}
	d.onceLeft.Importance = widget.MediumImportance
	d.onceLeft.SetText(lang.L("Expires in {{.Left}}", map[string]any{"Left": clockText(left)}))
}

// clockText is a duration as m:ss (or h:mm:ss), rounded up so that 0:00
// appears only when the time is over.
func clockText(d time.Duration) string {
	s := int((d + time.Second - 1) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// onceRevoked shows that the one-time link above was revoked: it cannot
// be copied and [New link] makes another.
func (d *shareDialog) onceRevoked() {
	if d.once.URL == "" {
		return
	}
	d.onceDead = true
	d.onceLeft.SetText(lang.L("This link was revoked."))
	d.onceLeft.Importance = widget.WarningImportance
	d.onceLeft.Refresh()
	d.onceCopy.Disable()
	d.onceRenew.Show()
}

func (d *shareDialog) onCopyOnceTapped() { d.copy(d.once.URL) }

func (d *shareDialog) onCopyQRTapped() { d.copy(d.qr.URL) }

func (d *shareDialog) copy(url string) {
	fyne.CurrentApp().Clipboard().SetContent(url)
	d.setStatus(lang.L("Link copied."), false)
}

func (d *shareDialog) onRenewOnceTapped() { d.loadOnce() }

func (d *shareDialog) onResetQRTapped() {
	d.work.dialogs.confirm(d.win, lang.L("Reset QR link?"),
		lang.L("The current QR link and code stop working at once, also where they are printed or saved. People who already added you stay connected."),
		lang.L("Reset link"), func() {
			d.fetchQR(d.eng.ResetQRLink, lang.L("A new QR link was made. The old one no longer works."), nil)
		})
}

func (d *shareDialog) onSaveQRTapped() {
	save := newFileSave(d.win, d.saveQRTo)
	save.SetFileName("worktalk-profile-qr.png")
	save.SetFilter(storage.NewExtensionFileFilter([]string{".png"}))
	d.work.dialogs.showFile(d.win, save)
}

// saveQRTo writes the QR code to the file the save dialog chose (w is nil
// when the user cancelled).
func (d *shareDialog) saveQRTo(w fyne.URIWriteCloser, err error) {
	if err != nil {
		d.setStatus(lang.L("Could not save the QR code: {{.Err}}", map[string]any{"Err": err.Error()}), true)
		return
	}
	if w == nil {
		return
	}
	link := d.qr.URL
	d.work.run(func(context.Context) error {
		werr := writeQRPNG(w, link)
		return errors.Join(werr, w.Close())
	}, func(err error) {
		if err != nil {
			d.setStatus(lang.L("Could not save the QR code: {{.Err}}", map[string]any{"Err": err.Error()}), true)
			return
		}
		d.setStatus(lang.L("QR code saved as {{.Name}}.", map[string]any{"Name": w.URI().Name()}), false)
	})
}

func (d *shareDialog) setStatus(text string, problem bool) {
	d.status.Importance = widget.LowImportance
	if problem {
		d.status.Importance = widget.WarningImportance
	}
	d.status.SetText(text)
	d.status.Show()
	d.fit()
}

func (d *shareDialog) onClosed() {
	if d.stopTick != nil {
		d.stopTick()
	}
}

// tickOnFyne calls fn on the Fyne thread every period until stop is called
// or the app shuts down. The goroutine belongs to work, which waits for it.
func tickOnFyne(work *worker, period time.Duration, fn func()) (stop func()) {
	ctx, cancel := context.WithCancel(work.ctx)
	if ctx.Err() != nil {
		return cancel // shutting down: the WaitGroup may be waited on already
	}
	work.wg.Add(1)
	go func() {
		defer work.wg.Done()
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				work.post(func() {
					if ctx.Err() == nil {
						fn()
					}
				})
			}
		}
	}()
	return cancel
}
