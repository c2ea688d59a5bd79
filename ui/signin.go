package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"worktalk.dev/worktalk/assets"
	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/protocol"
)

// signInScreen asks for the server, e-mail and password, then for the
// workspace when the account has several.
type signInScreen struct {
	a       *App
	content fyne.CanvasObject

	server    *widget.Entry
	email     *widget.Entry
	password  *widget.Entry
	choices   *widget.RadioGroup
	choiceIDs map[string]string // choice label -> workspace id
	errText   *widget.Label
	signIn    *widget.Button
	busy      *widget.Activity
	onCancel  func() // set when another workspace is open to go back to
}

// showSignIn puts the sign-in screen in the main window.
func (a *App) showSignIn(cancelable bool) *signInScreen {
	s := &signInScreen{a: a, choiceIDs: map[string]string{}}
	s.server = widget.NewEntry()
	s.server.SetPlaceHolder("https://talk.example.com")
	s.server.SetText(a.cfg.ServerURL)
	s.email = widget.NewEntry()
	s.email.SetPlaceHolder("name@example.com")
	s.password = widget.NewPasswordEntry()
	s.password.OnSubmitted = func(string) { s.onSignInTapped() }
	s.choices = widget.NewRadioGroup(nil, nil)
	s.choices.Hide()
	s.errText = widget.NewLabel("")
	s.errText.Importance = widget.DangerImportance
	s.errText.Wrapping = fyne.TextWrapWord
	s.errText.Hide()
	s.signIn = widget.NewButton(lang.L("Sign in"), s.onSignInTapped)
	s.signIn.Importance = widget.HighImportance
	s.busy = widget.NewActivity()
	s.busy.Hide()

	icon := canvas.NewImageFromResource(assets.Icon)
	icon.SetMinSize(fyne.NewSquareSize(72))
	icon.FillMode = canvas.ImageFillContain
	title := headingLabel(lang.L("Sign in to Worktalk"))

	form := widget.NewForm(
		widget.NewFormItem(lang.L("Server"), s.server),
		widget.NewFormItem(lang.L("E-mail"), s.email),
		widget.NewFormItem(lang.L("Password"), s.password),
	)
	buttons := container.NewHBox(s.signIn, s.busy)
	if cancelable {
		buttons.Add(widget.NewButton(lang.L("Cancel"), s.onCancelTapped))
	}
	box := container.NewVBox(container.NewCenter(icon), title, form, s.choices, s.errText, container.NewCenter(buttons))
	s.content = container.NewCenter(container.NewGridWrap(fyne.NewSize(420, box.MinSize().Height+80), box))
	a.signIn = s
	a.setTitle(lang.L("Sign in - Worktalk"))
	a.setContent(s.content)
	if s.server.Text == "" {
		a.focus(s.server)
	} else {
		a.focus(s.email)
	}
	return s
}

func (s *signInScreen) setError(msg string) {
	s.errText.Importance = widget.DangerImportance
	s.errText.SetText(msg)
	s.errText.Show()
}

func (s *signInScreen) onCancelTapped() {
	if s.onCancel != nil {
		s.onCancel()
	}
}

func (s *signInScreen) onSignInTapped() {
	server := strings.TrimSpace(s.server.Text)
	email := strings.TrimSpace(s.email.Text)
	password := s.password.Text
	switch {
	case server == "":
		s.setError(lang.L("Enter the address of your Worktalk server."))
		return
	case email == "" || password == "":
		s.setError(lang.L("Enter your e-mail and password."))
		return
	}
	wsID := ""
	if s.choices.Visible() {
		wsID = s.choiceIDs[s.choices.Selected]
		if wsID == "" {
			s.setError(lang.L("Choose a workspace."))
			return
		}
	}
	s.errText.Hide()
	s.signIn.Disable()
	s.busy.Show()
	s.busy.Start()
	var (
		acct    client.Account
		choices []protocol.WorkspaceChoice
	)
	s.a.run(func(ctx context.Context) error {
		var err error
		acct, choices, err = s.a.cfg.Accounts.SignIn(ctx, server, email, password, wsID)
		return err
	}, func(err error) {
		s.busy.Stop()
		s.busy.Hide()
		s.signIn.Enable()
		switch {
		case err != nil:
			s.setError(signInErrorText(err, server))
		case len(choices) > 0:
			s.showChoices(choices)
		default:
			s.a.signIn = nil
			s.a.openAccount(acct)
		}
	})
}

func (s *signInScreen) showChoices(choices []protocol.WorkspaceChoice) {
	var labels []string
	s.choiceIDs = map[string]string{}
	for _, c := range choices {
		label := c.Name
		if _, dup := s.choiceIDs[label]; dup {
			label += " (" + c.ID + ")"
		}
		s.choiceIDs[label] = c.ID
		labels = append(labels, label)
	}
	s.choices.Options = labels
	s.choices.Selected = labels[0]
	s.choices.Refresh()
	s.choices.Show()
	s.signIn.SetText(lang.L("Continue"))
	s.errText.Importance = widget.MediumImportance
	s.errText.SetText(lang.L("This account is in several workspaces. Choose one."))
	s.errText.Show()
}

// signInErrorText names the problem in plain words: wrong password,
// unreachable server, no keyring, or what errorText says.
func signInErrorText(err error, server string) string {
	if errors.Is(err, client.ErrNoKeyring) {
		return lang.L("This computer has no OS keyring to keep your sign-in safe. Install and start gnome-keyring (or another Secret Service), or start Worktalk with --insecure-file-secrets.")
	}
	switch protocol.ErrorCode(err) {
	case protocol.EUnauthorized:
		return lang.L("Wrong e-mail or password.")
	case protocol.EOffline:
		return lang.L("Cannot reach the server at {{.URL}}. Check the address and your connection.", map[string]any{"URL": server})
	}
	return errorText(err)
}
