package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// myProfileDetail is the popup that opens from my picture: a larger card
// with [Chat with me] and [Share].
type myProfileDetail struct {
	a      *App
	dialog dialog.Dialog
	chat   *widget.Button
	share  *widget.Button
}

func showMyProfileDetail(a *App) *myProfileDetail {
	st := a.state()
	d := &myProfileDetail{a: a}
	pic := newAvatar(120, nil)
	pic.set(a, st.Me.Name, st.Me.PictureID)
	name := headingLabel(st.Me.Name)
	ws := widget.NewLabel(st.Workspace.Name)
	ws.Alignment = fyne.TextAlignCenter
	ws.Importance = widget.LowImportance
	fields := widget.NewLabel(fieldLines(st.Workspace.Settings, st.Me))
	fields.Alignment = fyne.TextAlignCenter
	fields.Wrapping = fyne.TextWrapWord

	d.chat = widget.NewButtonWithIcon(lang.L("Chat with me"), theme.MailComposeIcon(), d.onChatWithMeTapped)
	d.chat.Importance = widget.HighImportance
	d.share = widget.NewButtonWithIcon(lang.L("Share"), theme.MailForwardIcon(), d.onShareTapped)
	body := container.NewVBox(container.NewCenter(pic), name, ws, fields,
		container.NewCenter(container.NewHBox(d.chat, d.share)))
	d.dialog = dialog.NewCustom(lang.L("My profile"), lang.L("Close"), container.NewPadded(body), a.win)
	d.dialog.Resize(fyne.NewSize(360, 0))
	a.showDialog(a.win, d.dialog)
	return d
}

func (d *myProfileDetail) onChatWithMeTapped() {
	d.dialog.Hide()
	if d.a.main != nil {
		d.a.main.openSelfRoom()
	}
}

func (d *myProfileDetail) onShareTapped() {
	eng := d.a.engine()
	if eng == nil {
		return // signed out meanwhile
	}
	d.a.share = newShareDialog(d.a.work, eng, d.a.win)
	d.a.showDialog(d.a.win, d.a.share.dlg)
}
