package ui

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// allDaySection is the More tab's section for leaving Worktalk running:
// what notifications show, and whether closing the window keeps it in the
// tray. The choices are kept in the app's preferences.
func (a *App) allDaySection() fyne.CanvasObject {
	prefs := a.fa.Preferences()
	modes := []string{notifyOn, notifyHidden, notifyOff}
	labels := []string{
		lang.L("Show sender and message"),
		lang.L("Show only \"New message\""),
		lang.L("Off"),
	}
	sel := widget.NewSelect(labels, nil)
	if i := slices.Index(modes, prefs.StringWithFallback(prefNotifications, notifyOn)); i >= 0 {
		sel.SetSelected(labels[i])
	} else {
		sel.SetSelected(labels[0])
	}
	sel.OnChanged = func(v string) {
		if i := slices.Index(labels, v); i >= 0 {
			prefs.SetString(prefNotifications, modes[i])
		}
	}
	locked := widget.NewLabel(lang.L("While Worktalk is locked, notifications say only \"New message\"."))
	locked.Wrapping = fyne.TextWrapWord
	locked.Importance = widget.LowImportance

	// A check's label does not wrap: the short one here, the rest below.
	keep := widget.NewCheck(lang.L("Keep running in the tray"), func(on bool) {
		prefs.SetBool(prefCloseToTray, on)
	})
	keep.SetChecked(prefs.BoolWithFallback(prefCloseToTray, true))
	keepHint := widget.NewLabel(lang.L("Closing the window leaves Worktalk in the tray, where it still tells you about new messages."))
	keepHint.Wrapping = fyne.TextWrapWord
	keepHint.Importance = widget.LowImportance
	items := []fyne.CanvasObject{
		container.NewBorder(nil, nil, widget.NewLabel(lang.L("Notifications")), nil, sel),
		locked, keep, keepHint,
	}
	if a.tray == nil || !a.trayAvailable() {
		keep.Disable()
		none := widget.NewLabel(lang.L("This desktop shows no tray icons, so closing the window quits Worktalk."))
		none.Wrapping = fyne.TextWrapWord
		none.Importance = widget.LowImportance
		items = append(items, none)
	}
	return section(lang.L("Notifications and tray"), container.NewVBox(items...))
}
