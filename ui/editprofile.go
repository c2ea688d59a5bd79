package ui

import (
	"context"
	"errors"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"worktalk.dev/worktalk/protocol"
)

// editProfile is the profile settings window, built from the admin's
// field schema: editable fields are inputs with their problem shown next to
// them, read-only fields are text, hidden fields are absent.
type editProfile struct {
	a   *App
	win fyne.Window

	me       protocol.Profile
	settings protocol.WorkspaceSettings

	pic     *avatar
	picture *[]byte // the new picture; nil = unchanged
	picErr  *widget.Label
	picBusy *fyne.Container // progress while a picked file is prepared
	name    *entry          // nil when the name is read-only
	nameErr *widget.Label
	inputs  map[string]*entry
	errs    map[string]*widget.Label
	save    *widget.Button
	form    *fyne.Container // re-laid out when a problem shows or goes
	formErr *widget.Label
}

// openEditProfile opens the profile settings window for my profile as the
// engine last showed it.
func openEditProfile(a *App, onClosed func()) *editProfile {
	st := a.state()
	e := &editProfile{
		a:        a,
		me:       st.Me,
		settings: st.Workspace.Settings,
		inputs:   map[string]*entry{},
		errs:     map[string]*widget.Label{},
	}
	e.win = a.newWindow(lang.L("Profile settings"), onClosed)
	e.win.SetContent(e.build())
	e.win.Resize(fyne.NewSize(480, 560))
	e.win.Show()
	return e
}

// reservedErrorLabel is an error line that keeps its place while empty,
// so the form does not jump when a problem shows or clears.
func reservedErrorLabel() *widget.Label {
	l := errorLabel()
	l.Show()
	return l
}

// withProblem stacks an input over its problem line with no gap between:
// the line's own padding keeps them apart.
func withProblem(in, problem fyne.CanvasObject) fyne.CanvasObject {
	return container.New(layout.NewCustomPaddedVBoxLayout(0), in, problem)
}

func errorLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}

func (e *editProfile) build() fyne.CanvasObject {
	e.pic = newAvatar(96, nil)
	e.pic.set(e.a, e.me.Name, e.me.PictureID)
	e.picErr = reservedErrorLabel()
	picBox := container.NewVBox(container.NewCenter(e.pic))
	if e.settings.PictureEditable {
		change := widget.NewButtonWithIcon(lang.L("Change picture"), theme.FileImageIcon(), e.onChangePictureTapped)
		remove := widget.NewButtonWithIcon(lang.L("Remove"), theme.DeleteIcon(), e.onRemovePictureTapped)
		picBox.Add(container.NewCenter(container.NewHBox(change, remove)))
		hint := widget.NewLabel(lang.L("PNG or JPEG. Large pictures are made smaller."))
		hint.Importance = widget.LowImportance
		hint.Alignment = fyne.TextAlignCenter
		picBox.Add(hint)
	}
	e.picBusy = container.NewCenter(container.NewHBox(widget.NewActivity(), widget.NewLabel(lang.L("Preparing the picture…"))))
	e.picBusy.Hide()
	picBox.Add(e.picBusy)
	picBox.Add(e.picErr)

	form := container.New(&formLayout{})
	e.form = form
	e.nameErr = reservedErrorLabel()
	if e.settings.NameEditable {
		e.name = newEntry()
		e.name.SetText(e.me.Name)
		e.name.OnChanged = func(string) { e.checkName() }
		form.Add(formLabel(lang.L("Name")))
		form.Add(withProblem(e.name, e.nameErr))
	} else {
		form.Add(formLabel(lang.L("Name")))
		form.Add(readOnlyValue(e.me.Name))
	}
	for _, def := range e.settings.Fields {
		if !def.Visible {
			continue // hidden fields do not exist for members
		}
		form.Add(formLabel(fieldLabel(def)))
		if !def.Editable {
			form.Add(readOnlyValue(e.me.Fields[def.Key]))
			continue
		}
		in := newEntry()
		in.SetText(e.me.Fields[def.Key])
		switch def.Kind {
		case protocol.FieldPhone:
			in.SetPlaceHolder("+82 10-1234-5678")
		case protocol.FieldEmail:
			in.SetPlaceHolder("name@example.com")
		}
		def := def
		errL := reservedErrorLabel()
		in.OnChanged = func(string) { e.checkField(def) }
		e.inputs[def.Key], e.errs[def.Key] = in, errL
		form.Add(withProblem(in, errL))
	}
	e.formErr = errorLabel()
	e.save = widget.NewButtonWithIcon(lang.L("Save"), theme.DocumentSaveIcon(), e.onSaveTapped)
	e.save.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.L("Cancel"), e.onCancelTapped)
	buttons := container.NewBorder(nil, nil, nil, container.NewHBox(cancel, e.save))
	body := container.NewVBox(picBox, widget.NewSeparator(), form, e.formErr)
	return container.NewBorder(nil, container.NewPadded(buttons), nil, nil, container.NewVScroll(container.NewPadded(body)))
}

func formLabel(s string) fyne.CanvasObject {
	l := widget.NewLabelWithStyle(s, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	return container.NewVBox(l)
}

func readOnlyValue(v string) fyne.CanvasObject {
	if v == "" {
		v = "-"
	}
	l := widget.NewLabel(v)
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.LowImportance
	return l
}

// checkName shows the name's problem next to it; it reports whether the
// name is fine.
func (e *editProfile) checkName() bool {
	if e.name == nil {
		return true
	}
	if err := protocol.ValidateName(e.name.Text); err != nil {
		e.nameErr.SetText(nameErrorText(err))
		e.form.Refresh()
		return false
	}
	e.nameErr.SetText("")
	e.form.Refresh()
	return true
}

func (e *editProfile) checkField(def protocol.FieldDef) bool {
	in, errL := e.inputs[def.Key], e.errs[def.Key]
	if err := protocol.ValidateFieldValue(def, strings.TrimSpace(in.Text)); err != nil {
		errL.SetText(fieldErrorText(def, err))
		e.form.Refresh()
		return false
	}
	errL.SetText("")
	e.form.Refresh()
	return true
}

// update is what changed, or nil when nothing did.
func (e *editProfile) update() *protocol.ProfileUpdate {
	var u protocol.ProfileUpdate
	changed := false
	if e.name != nil {
		if n := strings.TrimSpace(e.name.Text); n != e.me.Name {
			u.Name = &n
			changed = true
		}
	}
	for key, in := range e.inputs {
		if v := strings.TrimSpace(in.Text); v != e.me.Fields[key] {
			if u.Fields == nil {
				u.Fields = map[string]string{}
			}
			u.Fields[key] = v
			changed = true
		}
	}
	if e.picture != nil {
		u.Picture = e.picture
		changed = true
	}
	if !changed {
		return nil
	}
	return &u
}

func (e *editProfile) onSaveTapped() {
	ok := e.checkName()
	for _, def := range e.settings.Fields {
		if _, editable := e.inputs[def.Key]; editable {
			ok = e.checkField(def) && ok
		}
	}
	if !ok {
		return
	}
	u := e.update()
	if u == nil {
		e.win.Close()
		return
	}
	e.formErr.Hide()
	e.save.Disable()
	eng := e.a.engine()
	if eng == nil {
		return // signed out meanwhile
	}
	e.a.run(func(ctx context.Context) error {
		return eng.UpdateProfile(ctx, *u)
	}, func(err error) {
		e.save.Enable()
		if err != nil {
			e.showSaveError(err)
			return
		}
		e.win.Close()
	})
}

// showSaveError puts a refusal next to its field, or under the form.
func (e *editProfile) showSaveError(err error) {
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Field != "" {
		if pe.Field == "name" && e.name != nil {
			e.nameErr.SetText(nameErrorText(pe))
			e.form.Refresh()
			return
		}
		if pe.Field == "picture" {
			e.picErr.SetText(errorText(err))
			return
		}
		if l, ok := e.errs[pe.Field]; ok {
			def, _ := e.settings.Field(pe.Field)
			l.SetText(fieldErrorText(def, pe))
			e.form.Refresh()
			return
		}
	}
	e.formErr.SetText(errorText(err))
	e.formErr.Show()
}

func (e *editProfile) onCancelTapped() { e.win.Close() }

func (e *editProfile) onRemovePictureTapped() {
	empty := []byte{}
	e.picture = &empty
	e.picErr.SetText("")
	e.pic.set(e.a, e.me.Name, "")
}

func (e *editProfile) onChangePictureTapped() { e.showFilePicker() }

func (e *editProfile) showFilePicker() {
	d := newFileOpen(e.win, lang.L("Choose a picture"), func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, 32<<20))
		if err != nil {
			e.setPictureError(err)
			return
		}
		e.usePictureFile(b)
	})
	d.SetFilter(storage.NewExtensionFileFilter([]string{".png", ".jpg", ".jpeg", ".PNG", ".JPG", ".JPEG"}))
	d.Resize(fyne.NewSize(460, 480))
	e.a.work.dialogs.showFile(e.win, d)
}

// usePictureFile resizes and re-encodes an image file (off the Fyne
// thread) and shows it as the new picture.
func (e *editProfile) usePictureFile(file []byte) {
	e.picErr.SetText("")
	e.showPictureBusy(true)
	fetch(e.a.run, func(context.Context) ([]byte, error) {
		return preparePicture(file)
	}, func(out []byte, err error) {
		e.showPictureBusy(false)
		if err != nil {
			e.setPictureError(err)
			return
		}
		e.picture = &out
		e.picErr.SetText("")
		e.pic.name = e.me.Name
		e.pic.pic = fyne.NewStaticResource("new-picture", out)
		e.pic.Refresh()
	})
}

func (e *editProfile) showPictureBusy(on bool) {
	spin := e.picBusy.Objects[0].(*fyne.Container).Objects[0].(*widget.Activity)
	if on {
		e.picBusy.Show()
		spin.Start()
		return
	}
	spin.Stop()
	e.picBusy.Hide()
}

func (e *editProfile) setPictureError(err error) {
	e.picErr.SetText(lang.L("Choose a PNG or JPEG image."))
	if protocol.ErrorCode(err) == protocol.ETooLarge {
		e.picErr.SetText(errorText(err))
	}
}

// formLayout is a two-column form: labels at their natural width, values
// taking the rest.
type formLayout struct{}

func (formLayout) widths(objs []fyne.CanvasObject) float32 {
	var w float32
	for i := 0; i < len(objs); i += 2 {
		w = max(w, objs[i].MinSize().Width)
	}
	return w
}

func (f formLayout) Layout(objs []fyne.CanvasObject, s fyne.Size) {
	lw := f.widths(objs)
	pad := theme.Padding()
	y := float32(0)
	for i := 0; i+1 < len(objs); i += 2 {
		vw := s.Width - lw - pad
		objs[i+1].Resize(fyne.NewSize(vw, objs[i+1].MinSize().Height))
		h := max(objs[i].MinSize().Height, objs[i+1].MinSize().Height)
		objs[i].Move(fyne.NewPos(0, y))
		objs[i].Resize(fyne.NewSize(lw, objs[i].MinSize().Height))
		objs[i+1].Move(fyne.NewPos(lw+pad, y))
		objs[i+1].Resize(fyne.NewSize(vw, h))
		y += h + pad
	}
}

func (f formLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	lw := f.widths(objs)
	pad := theme.Padding()
	var w, h float32
	for i := 0; i+1 < len(objs); i += 2 {
		w = max(w, objs[i+1].MinSize().Width)
		h += max(objs[i].MinSize().Height, objs[i+1].MinSize().Height) + pad
	}
	return fyne.NewSize(lw+pad+w, h)
}
