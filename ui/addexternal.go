package ui

import (
	"context"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/protocol"
)

// externalEngine is what adding external members needs of the engine.
type externalEngine interface {
	State() client.State
	ViewLink(ctx context.Context, link string) (protocol.LinkPreview, error)
	AddExternalByLink(ctx context.Context, link string) (protocol.Profile, error)
	Member(ctx context.Context, id string) (protocol.Profile, error)
	AddExternalBack(ctx context.Context, memberID string) error
}

// addExternalDialog adds an external member, either from a profile link
// (paste -> [View profile] -> card and notice -> [Add as external member]
// -> [Confirm]) or, for the "X added you" system message, by member id.
type addExternalDialog struct {
	work *worker
	eng  externalEngine
	win  fyne.Window
	// OnAdded, when set, runs after the member was added (e.g. to open the
	// 1:1 chat); the dialog stays open with a success message.
	OnAdded func(memberID string)
	// OnCard, when set, runs each time the card of a viewed link shows.
	OnCard func()

	dlg      *dialog.CustomDialog
	link     *entry // nil when adding back by member id
	view     *widget.Button
	card     *fyne.Container
	cardPic  *avatar
	cardName *widget.Label
	cardSub  *widget.Label
	notice   *widget.Label
	add      *widget.Button
	status   *widget.Label

	memberID string // whom [Add as external member] adds
	name     string
	viewed   string // the link that was viewed; editing the entry clears the card
}

// newAddExternalDialog is "Add external member" with link filled in (it may
// be empty). Show it with (App).showDialog(win, d.dlg) or d.dlg.Show().
func newAddExternalDialog(work *worker, eng externalEngine, win fyne.Window, link string) *addExternalDialog {
	d := newExternalDialogBase(work, eng, win)
	d.link = newEntry()
	d.link.SetPlaceHolder("https://…/p/…")
	d.link.SetText(strings.TrimSpace(link))
	d.link.OnSubmitted = func(string) { d.onViewTapped() }
	d.view = widget.NewButtonWithIcon(lang.L("View profile"), theme.SearchIcon(), d.onViewTapped)
	d.view.Importance = widget.HighImportance
	hint := widget.NewLabel(lang.L("Paste a profile link someone from another workspace sent you."))
	hint.Wrapping = fyne.TextWrapWord
	hint.Importance = widget.LowImportance
	body := container.NewVBox(hint, container.NewBorder(nil, nil, nil, d.view, d.link), d.card, d.status)
	d.dlg = dialog.NewCustom(lang.L("Add external member"), lang.L("Close"), body, win)
	d.link.OnChanged = d.onLinkChanged
	d.fit()
	if d.link.Text != "" {
		d.onViewTapped()
	}
	return d
}

// newAddBackDialog shows the member who added me, with [Add as external
// member] to add them back. It is what the system message's [View profile]
// opens while they are not one of my external members.
func newAddBackDialog(work *worker, eng externalEngine, win fyne.Window, memberID string) *addExternalDialog {
	d := newExternalDialogBase(work, eng, win)
	d.memberID = memberID
	loading := widget.NewActivity()
	body := container.NewVBox(loading, d.card, d.status)
	d.dlg = dialog.NewCustom(lang.L("Profile"), lang.L("Close"), body, win)
	d.fit()
	fetch(work.run, func(ctx context.Context) (protocol.Profile, error) {
		return eng.Member(ctx, memberID)
	}, func(p protocol.Profile, err error) {
		loading.Hide()
		if err != nil {
			d.setStatus(addErrorText(err), true)
			return
		}
		d.showCard(p.Name, p.WorkspaceName, p.Fields["title"], isExternal(eng.State(), memberID))
	})
	return d
}

func newExternalDialogBase(work *worker, eng externalEngine, win fyne.Window) *addExternalDialog {
	d := &addExternalDialog{work: work, eng: eng, win: win}
	d.cardPic = newAvatar(56, nil)
	d.cardName = boldLabel("")
	d.cardSub = widget.NewLabel("")
	d.cardSub.Importance = widget.LowImportance
	d.cardSub.Truncation = fyne.TextTruncateEllipsis
	d.notice = widget.NewLabel("")
	d.notice.Wrapping = fyne.TextWrapWord
	d.add = widget.NewButtonWithIcon(lang.L("Add as external member"), theme.ContentAddIcon(), d.onAddTapped)
	d.add.Importance = widget.HighImportance
	d.card = container.NewVBox(
		widget.NewSeparator(),
		container.NewBorder(nil, nil, d.cardPic, nil, container.NewVBox(d.cardName, d.cardSub)),
		d.notice, container.NewHBox(d.add))
	d.card.Hide()
	d.status = widget.NewLabel("")
	d.status.Wrapping = fyne.TextWrapWord
	d.status.Hide()
	return d
}

func isExternal(st client.State, id string) bool {
	return slices.ContainsFunc(st.Externals, func(p protocol.Profile) bool { return p.ID == id })
}

// showCard shows whom the dialog would add, the notice about external
// members, and [Add as external member] unless they are one already.
func (d *addExternalDialog) showCard(name, workspace, title string, already bool) {
	d.name = name
	d.cardPic.name = name
	d.cardPic.Refresh()
	d.cardName.SetText(name)
	sub := workspace
	if title != "" {
		sub = title + " · " + workspace
	}
	d.cardSub.SetText(sub)
	if already {
		d.notice.SetText(lang.L("{{.Name}} is already one of your external members.", map[string]any{"Name": name}))
		d.add.Hide()
	} else {
		d.notice.SetText(lang.L("{{.Name}} is in another workspace ({{.Workspace}}). As an external member they can see your profile and chat with you 1:1. You can block them at any time.",
			map[string]any{"Name": name, "Workspace": workspace}))
		d.add.Show()
		d.add.Enable()
	}
	d.card.Show()
	d.fit()
}

func (d *addExternalDialog) onLinkChanged(s string) {
	if strings.TrimSpace(s) != d.viewed {
		d.card.Hide()
		d.status.Hide()
		d.fit()
	}
}

func (d *addExternalDialog) onViewTapped() {
	link := strings.TrimSpace(d.link.Text)
	if link == "" {
		d.setStatus(lang.L("Paste a profile link first."), true)
		return
	}
	if _, err := protocol.LinkToken(link); err != nil {
		d.setStatus(lang.L("This is not a profile link. Profile links look like https://…/p/…"), true)
		return
	}
	d.card.Hide()
	d.status.Hide()
	d.view.Disable()
	fetch(d.work.run, func(ctx context.Context) (protocol.LinkPreview, error) {
		return d.eng.ViewLink(ctx, link)
	}, func(prev protocol.LinkPreview, err error) {
		d.view.Enable()
		if err != nil {
			d.setStatus(addErrorText(err), true)
			return
		}
		d.viewed, d.memberID = link, prev.MemberID
		d.showCard(prev.Card.Name, prev.Card.WorkspaceName, prev.Card.Title, prev.Already)
		if d.OnCard != nil {
			d.OnCard()
		}
	})
}

func (d *addExternalDialog) onAddTapped() {
	d.work.dialogs.confirm(d.win, lang.L("Add as external member"),
		lang.L("Add {{.Name}} as an external member?", map[string]any{"Name": d.name}),
		lang.L("Confirm"), d.addConfirmed)
}

// addConfirmed redeems the link (which needs the server, and uses up a
// one-time link) or queues the add-back (which works offline and is
// confirmed by the server later).
func (d *addExternalDialog) addConfirmed() {
	d.add.Disable()
	link, id, name := d.viewed, d.memberID, d.name
	d.work.run(func(ctx context.Context) error {
		if d.link != nil {
			p, err := d.eng.AddExternalByLink(ctx, link)
			id = p.ID
			return err
		}
		return d.eng.AddExternalBack(ctx, id)
	}, func(err error) {
		if err != nil {
			d.add.Enable()
			d.setStatus(addErrorText(err), true)
			return
		}
		d.add.Hide()
		d.notice.SetText(lang.L("{{.Name}} is now one of your external members. Find them in the org chart under External members.", map[string]any{"Name": name}))
		d.fit()
		if d.OnAdded != nil {
			d.OnAdded(id)
		}
	})
}

func (d *addExternalDialog) setStatus(text string, problem bool) {
	d.status.Importance = widget.MediumImportance
	if problem {
		d.status.Importance = widget.WarningImportance
	}
	d.status.SetText(text)
	d.status.Show()
	d.fit()
}

func (d *addExternalDialog) fit() {
	d.dlg.Refresh() // the popup keeps its old minimum size until refreshed
	m := d.dlg.MinSize()
	d.dlg.Resize(fyne.NewSize(max(m.Width, 460), m.Height))
}

// addErrorText is why a link or member cannot be added, in plain words.
// The server answers one code for unknown, expired, used and reset links
// on purpose (a link says nothing about its owner once it is dead).
func addErrorText(err error) string {
	switch protocol.ErrorCode(err) {
	case protocol.ELinkInvalid:
		return lang.L("This link no longer works: it has expired, was already used, or its owner reset it. Ask them for a new link.")
	case protocol.EBlocked:
		return lang.L("You cannot add this member: one of you has blocked the other.")
	case protocol.ESelf:
		return lang.L("This is your own profile link.")
	case protocol.ECoworker:
		return lang.L("This member is in your own workspace. Find them in the org chart.")
	case protocol.EForbidden:
		if protocol.ErrorReason(err) == "" {
			return lang.L("You can add back only members who added you. Ask them for their profile link.")
		}
	}
	return errorText(err)
}

// profileLinkIn reports whether pasted text is a profile link (an
// https://HOST/p/TOKEN or worktalk://p/TOKEN URL and nothing else), so the
// app can open "Add external member" with it. Bare tokens do not count:
// they are too easy to paste by accident.
func profileLinkIn(text string) (string, bool) {
	s := strings.TrimSpace(text)
	if strings.ContainsAny(s, " \t\n") || !(strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "worktalk://")) {
		return "", false
	}
	if _, err := protocol.LinkToken(s); err != nil {
		return "", false
	}
	return s, true
}
