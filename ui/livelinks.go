package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"worktalk.dev/worktalk/protocol"
)

// liveLinksEngine is what the list of my live links needs of the engine.
type liveLinksEngine interface {
	LiveLinks(ctx context.Context) ([]protocol.LiveLink, error)
	RevokeLink(ctx context.Context, id string) error
	RevokeAllLinks(ctx context.Context) (protocol.ProfileLink, error)
}

// liveRowsShown is how many rows the list shows before it scrolls, so the
// share dialog keeps fitting small windows.
const liveRowsShown = 3

// liveLinks is the share dialog's list of my one-time links that still
// work, each with its time left and [Revoke], and [Revoke all], which also
// resets the QR link. It is folded away until opened: most people never
// need it. Only the Fyne thread touches it.
type liveLinks struct {
	d *shareDialog

	fold   *fyne.Container // header and detail
	header *widget.Button  // folds and unfolds detail
	detail *fyne.Container
	rows   *fyne.Container // liveRow contents
	scroll *container.Scroll
	empty  *widget.Label
	all    *widget.Button

	links []protocol.LiveLink
	row   map[string]*liveRow // by link id
}

type liveRow struct {
	content *fyne.Container
	text    *widget.Label
	revoke  *widget.Button
}

func newLiveLinks(d *shareDialog) *liveLinks {
	l := &liveLinks{d: d, row: map[string]*liveRow{}}
	l.rows = container.NewVBox()
	l.scroll = container.NewVScroll(l.rows)
	l.empty = widget.NewLabel(lang.L("No live one-time links."))
	l.empty.Importance = widget.LowImportance
	l.all = widget.NewButtonWithIcon(lang.L("Revoke all"), theme.DeleteIcon(), l.onRevokeAllTapped)
	l.all.Importance = widget.DangerImportance
	hint := widget.NewLabel(lang.L("Revoke all also resets the QR link."))
	hint.Importance = widget.LowImportance
	hint.Wrapping = fyne.TextWrapWord
	l.detail = container.NewVBox(l.empty, l.scroll, container.NewBorder(nil, nil, nil, l.all, hint))
	l.detail.Hide()
	l.header = widget.NewButtonWithIcon("", theme.MenuExpandIcon(), l.onHeaderTapped)
	l.header.Alignment = widget.ButtonAlignLeading
	l.header.Importance = widget.LowImportance
	l.fold = container.NewVBox(l.header, l.detail)
	l.show()
	return l
}

func (l *liveLinks) onHeaderTapped() {
	if l.detail.Visible() {
		l.detail.Hide()
		l.header.SetIcon(theme.MenuExpandIcon())
	} else {
		l.detail.Show()
		l.header.SetIcon(theme.MenuDropDownIcon())
		l.load()
	}
	l.d.fit()
}

func (l *liveLinks) title() string {
	if len(l.links) == 0 {
		return lang.L("My live one-time links")
	}
	return lang.L("My live one-time links ({{.N}})", map[string]any{"N": len(l.links)})
}

// load asks the server for the list again.
func (l *liveLinks) load() {
	fetch(l.d.work.run, l.d.eng.LiveLinks, func(links []protocol.LiveLink, err error) {
		if err != nil {
			l.d.setStatus(errorText(err), true)
			return
		}
		l.links = links
		l.show()
	})
}

// show rebuilds the rows from l.links.
func (l *liveLinks) show() {
	l.rows.Objects = l.rows.Objects[:0]
	rows := map[string]*liveRow{}
	for _, link := range l.links {
		r := l.row[link.ID]
		if r == nil {
			r = l.newRow(link.ID)
		}
		rows[link.ID] = r
		l.rows.Objects = append(l.rows.Objects, r.content)
	}
	l.row = rows
	l.empty.Hidden = len(l.links) > 0
	if len(l.links) == 0 {
		l.scroll.Hide()
	} else {
		l.scroll.Show()
	}
	if n := min(len(l.links), liveRowsShown); n > 0 {
		l.scroll.SetMinSize(fyne.NewSize(0, float32(n)*l.rows.Objects[0].MinSize().Height+float32(n-1)*theme.Padding()))
	}
	l.tick()
	l.rows.Refresh()
	l.empty.Refresh()
	l.header.SetText(l.title())
	l.d.fit()
}

func (l *liveLinks) newRow(id string) *liveRow {
	r := &liveRow{text: widget.NewLabel("")}
	r.text.Truncation = fyne.TextTruncateEllipsis
	r.revoke = widget.NewButton(lang.L("Revoke"), func() { l.onRevokeTapped(id) })
	r.content = container.NewBorder(nil, nil, nil, r.revoke, r.text)
	return r
}

// tick updates each row's time left and drops the links that ran out.
func (l *liveLinks) tick() {
	now := l.d.now()
	live := l.links[:0:0]
	for _, link := range l.links {
		left := time.UnixMilli(link.ExpiresAt).Sub(now)
		if left <= 0 {
			continue
		}
		live = append(live, link)
		text := lang.L("Made {{.Made}}, expires in {{.Left}}", map[string]any{
			"Made": time.UnixMilli(link.CreatedAt).In(now.Location()).Format("15:04"), "Left": clockText(left)})
		if link.ID == l.d.once.ID {
			text = lang.L("{{.Text}} (shown above)", map[string]any{"Text": text})
		}
		if r := l.row[link.ID]; r != nil && r.text.Text != text {
			r.text.SetText(text)
		}
	}
	if len(live) != len(l.links) {
		l.links = live
		l.show()
	}
}

// onRevokeTapped kills one link at once, on the server: no confirm, as
// the link is easily made again.
func (l *liveLinks) onRevokeTapped(id string) {
	if r := l.row[id]; r != nil {
		r.revoke.Disable()
	}
	l.d.work.run(func(ctx context.Context) error {
		return l.d.eng.RevokeLink(ctx, id)
	}, func(err error) {
		if r := l.row[id]; r != nil {
			r.revoke.Enable()
		}
		if err != nil && protocol.ErrorCode(err) != protocol.ENotFound {
			l.d.setStatus(errorText(err), true)
			return
		}
		if id == l.d.once.ID {
			l.d.onceRevoked()
		}
		l.d.setStatus(lang.L("The link was revoked. It no longer works."), false)
		l.load()
	})
}

func (l *liveLinks) onRevokeAllTapped() {
	l.d.work.dialogs.confirm(l.d.win, lang.L("Revoke all links?"),
		lang.L("Every one-time link you made stops working at once, and your QR link is reset: the old QR link and code stop working too, also where they are printed or saved. People who already added you stay connected."),
		lang.L("Revoke all"), l.revokeAll)
}

func (l *liveLinks) revokeAll() {
	l.all.Disable()
	l.d.fetchQR(l.d.eng.RevokeAllLinks, lang.L("All your links were revoked. A new QR link was made."), func(err error) {
		l.all.Enable()
		if err != nil {
			return
		}
		l.d.onceRevoked()
		l.links = nil
		l.show()
		l.load()
	})
}
