package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2/lang"

	"worktalk.dev/worktalk/assets"
	"worktalk.dev/worktalk/protocol"
)

// LoadTranslations adds the app's English and Korean strings to Fyne's
// lang package, which picks the one closest to the system language. Calling
// it again re-reads the system language (tests switch languages this way).
func LoadTranslations() error {
	if err := lang.AddTranslationsFS(assets.Translations, "translations"); err != nil {
		return fmt.Errorf("load translations: %w", err)
	}
	return nil
}

// korean reports whether the UI speaks Korean: field labels come from the
// admin's schema in both languages.
func korean() bool {
	return strings.HasPrefix(lang.SystemLocale().LanguageString(), "ko")
}

// fieldLabel is a field's label in the UI language.
func fieldLabel(def protocol.FieldDef) string {
	if korean() && def.LabelKo != "" {
		return def.LabelKo
	}
	if def.Label != "" {
		return def.Label
	}
	return def.Key
}

// fieldErrorText says what is wrong with a field value in the UI language.
func fieldErrorText(def protocol.FieldDef, e *protocol.Error) string {
	max := def.MaxLen
	if max <= 0 {
		max = protocol.MaxFieldLen
	}
	switch {
	case e.Code == protocol.ETooLarge:
		return lang.L("At most {{.Max}} characters.", map[string]any{"Max": max})
	case e.Code == protocol.ENotEditable:
		return lang.L("Your workspace admin does not let members change this.")
	case def.Kind == protocol.FieldPhone:
		return lang.L("Enter a phone number such as +82 10-1234-5678.")
	case def.Kind == protocol.FieldEmail:
		return lang.L("Enter an e-mail address such as name@example.com.")
	}
	if t := lineProblemText(e.Message); t != "" {
		return t
	}
	return e.Message
}

// lineProblemText says a protocol.LineProblem found in an error message in
// the UI language; "" when the message holds none.
func lineProblemText(msg string) string {
	switch {
	case strings.HasSuffix(msg, protocol.ProblemNotText), strings.Contains(msg, "cannot be shown"):
		return lang.L("Contains characters that cannot be shown.")
	case strings.HasSuffix(msg, protocol.ProblemControl):
		return lang.L("Contains control characters or line breaks.")
	case strings.HasSuffix(msg, protocol.ProblemDirection):
		return lang.L("Contains text direction controls.")
	case strings.HasSuffix(msg, protocol.ProblemMarks):
		return lang.L("Too many accent marks on one character.")
	case strings.HasSuffix(msg, protocol.ProblemInvisible):
		return lang.L("Has no visible characters.")
	case strings.Contains(msg, "cannot be used in a name"):
		return lang.L("Contains characters that cannot be used in a name.")
	}
	return ""
}

// nameErrorText says what is wrong with a name in the UI language.
func nameErrorText(e *protocol.Error) string {
	switch {
	case e.Code == protocol.ETooLarge:
		return lang.L("At most {{.Max}} characters.", map[string]any{"Max": protocol.MaxNameLen})
	case e.Code == protocol.ENotEditable:
		return lang.L("Your workspace admin does not let members change this.")
	case strings.Contains(e.Message, "empty"):
		return lang.L("Name cannot be empty.")
	}
	if t := lineProblemText(e.Message); t != "" {
		return t
	}
	return e.Message
}
