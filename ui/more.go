package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"worktalk.dev/worktalk/client"
)

// moreTab holds settings: my account, the workspaces signed in on this
// device, the blocked members, lock mode, and warnings.
type moreTab struct {
	a        *App
	content  fyne.CanvasObject
	account  *widget.Label
	accounts *fyne.Container
	warnings *fyne.Container
	extra    *fyne.Container // blocked members and lock mode
	blocked  *blockedList
}

func newMoreTab(a *App) *moreTab {
	m := &moreTab{a: a}
	m.account = widget.NewLabel("")
	m.account.Wrapping = fyne.TextWrapWord
	m.accounts = container.NewVBox()
	m.warnings = container.NewVBox()
	m.extra = container.NewVBox()
	if eng := a.engine(); eng != nil {
		m.blocked = newBlockedList(a.work, eng, a.win)
		m.extra.Add(m.blocked.content)
	}
	m.extra.Add(a.lockSection())
	m.extra.Add(a.allDaySection())
	add := widget.NewButtonWithIcon(lang.L("Add a workspace"), theme.ContentAddIcon(), m.onAddWorkspaceTapped)
	look := widget.NewLabel(lang.L("Language and light or dark theme follow your system settings."))
	look.Wrapping = fyne.TextWrapWord
	look.Importance = widget.LowImportance
	m.content = container.NewVScroll(container.NewPadded(container.NewVBox(
		m.warnings,
		section(lang.L("My account"), m.account),
		section(lang.L("Workspaces on this computer"), container.NewVBox(m.accounts, add)),
		m.extra,
		section(lang.L("Appearance"), look),
	)))
	return m
}

func (m *moreTab) apply(st client.State) {
	if m.blocked != nil {
		m.blocked.apply(st)
	}
	m.account.SetText(st.Account.Email + "\n" + st.Account.ServerURL)
	warnings := append(append([]string(nil), m.a.cfg.Warnings...), st.Warnings...)
	m.warnings.RemoveAll()
	for _, w := range warnings {
		l := widget.NewLabelWithStyle(w, fyne.TextAlignLeading, fyne.TextStyle{})
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.WarningImportance
		m.warnings.Add(l)
	}
}

// applyAccounts lists the signed-in workspaces with a one-click switch.
func (m *moreTab) applyAccounts() {
	m.accounts.RemoveAll()
	for _, acct := range m.a.accounts {
		acct := acct
		label := widget.NewLabel(acct.WorkspaceName + " (" + acct.Email + ")")
		label.Truncation = fyne.TextTruncateEllipsis
		if m.a.sess != nil && sameAccount(acct, m.a.sess.acct) {
			label.TextStyle.Bold = true
			m.accounts.Add(container.NewBorder(nil, nil, nil, widget.NewIcon(theme.ConfirmIcon()), label))
			continue
		}
		btn := widget.NewButton(lang.L("Switch"), func() { m.a.switchTo(acct) })
		m.accounts.Add(container.NewBorder(nil, nil, nil, btn, label))
	}
}

func (m *moreTab) onAddWorkspaceTapped() { m.a.addWorkspace() }

// section is a titled part of a settings page.
func section(title string, content fyne.CanvasObject) fyne.CanvasObject {
	head := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	return container.NewVBox(head, content, widget.NewSeparator())
}
