package service

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"worktalk.dev/worktalk/protocol"
)

const (
	maxWorkspaceNameLen = 60 // runes
	maxFields           = 50
	maxLabelLen         = 40   // runes
	maxFieldMaxLen      = 1000 // runes a FieldDef may allow
)

var fieldKeyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// DefaultSettings is the field schema of a new workspace: title, department
// and phone shown and editable, e-mail shown and fixed, an employee number
// kept hidden; name and picture editable; external chat on.
func DefaultSettings() protocol.WorkspaceSettings {
	return protocol.WorkspaceSettings{
		Fields: []protocol.FieldDef{
			{Key: "title", Label: "Title", LabelKo: "직함", Kind: protocol.FieldText, Visible: true, Editable: true, MaxLen: 40},
			{Key: "department", Label: "Department", LabelKo: "부서", Kind: protocol.FieldText, Visible: true, Editable: true, MaxLen: 60},
			{Key: "phone", Label: "Phone", LabelKo: "전화번호", Kind: protocol.FieldPhone, Visible: true, Editable: true, MaxLen: 24},
			{Key: "email", Label: "E-mail", LabelKo: "이메일", Kind: protocol.FieldEmail, Visible: true, Editable: false, MaxLen: protocol.MaxEmailLen},
			{Key: "employee_no", Label: "Employee number", LabelKo: "사번", Kind: protocol.FieldText, Visible: false, Editable: false, MaxLen: 20},
		},
		NameEditable:    true,
		PictureEditable: true,
		ExternalChat:    true,
	}
}

// ValidateSettings checks a workspace's settings: unique lower-case field
// keys, labels, kinds and lengths. Errors: EInvalid, ETooLarge.
func ValidateSettings(s protocol.WorkspaceSettings) error {
	if len(s.Fields) > maxFields {
		return protocol.FieldError(protocol.ETooLarge, "fields", "a workspace has at most %d profile fields", maxFields)
	}
	seen := make(map[string]bool)
	for _, f := range s.Fields {
		if !fieldKeyPattern.MatchString(f.Key) || f.Key == "name" || f.Key == "picture" {
			return protocol.FieldError(protocol.EInvalid, "fields", "field key %q must be 1 to 32 lower-case letters, digits or _ (not name or picture)", cut(f.Key, 40))
		}
		if seen[f.Key] {
			return protocol.FieldError(protocol.EInvalid, "fields", "field key %q is defined twice", f.Key)
		}
		seen[f.Key] = true
		for _, l := range []string{f.Label, f.LabelKo} {
			if strings.TrimSpace(l) == "" || utf8.RuneCountInString(l) > maxLabelLen || protocol.LineProblem(l) != "" {
				return protocol.FieldError(protocol.EInvalid, "fields", "field %q needs labels of 1 to %d characters", f.Key, maxLabelLen)
			}
		}
		switch f.Kind {
		case protocol.FieldText, protocol.FieldPhone, protocol.FieldEmail:
		default:
			return protocol.FieldError(protocol.EInvalid, "fields", "field %q has unknown kind %q", f.Key, cut(string(f.Kind), 20))
		}
		if f.MaxLen < 0 || f.MaxLen > maxFieldMaxLen {
			return protocol.FieldError(protocol.EInvalid, "fields", "field %q max_len must be 0 to %d", f.Key, maxFieldMaxLen)
		}
	}
	return nil
}

func validateWorkspaceName(name string) (string, error) {
	if strings.TrimSpace(name) == "" {
		return "", protocol.FieldError(protocol.EInvalid, "name", "workspace name cannot be empty").Because(protocol.REmpty)
	}
	return normalizeName("name", name, maxWorkspaceNameLen)
}

// CreateWorkspace makes a workspace. Errors: EInvalid, ETooLarge.
func (s *Service) CreateWorkspace(ctx context.Context, name string, settings protocol.WorkspaceSettings) (protocol.Workspace, error) {
	n, err := validateWorkspaceName(name)
	if err != nil {
		return protocol.Workspace{}, err
	}
	if err := ValidateSettings(settings); err != nil {
		return protocol.Workspace{}, err
	}
	row := WorkspaceRow{ID: protocol.NewID(), Name: n, Settings: settings}
	err = s.write(ctx, func(w *wtx) error {
		row.CreatedAt = w.now
		if err := w.InsertWorkspace(ctx, row); err != nil {
			return err
		}
		return w.audit(ctx, AuditWorkspaceCreate, row.ID, row.Name, "")
	})
	if err != nil {
		return protocol.Workspace{}, s.clientError("create workspace", err)
	}
	return protocol.Workspace{ID: row.ID, Name: row.Name, Settings: row.Settings}, nil
}

// UpdateWorkspaceSettings replaces a workspace's settings and tells its
// members (EvWorkspaceUpdate). When the set of visible fields changes, every
// member's profile is sent again, with a new version, to everyone who sees
// it. Turning external chat off closes the members' 1:1 rooms with external
// members; turning it on reopens those still usable. Errors: ENotFound,
// EInvalid, ETooLarge.
func (s *Service) UpdateWorkspaceSettings(ctx context.Context, workspaceID string, settings protocol.WorkspaceSettings) error {
	if err := ValidateSettings(settings); err != nil {
		return err
	}
	err := s.write(ctx, func(w *wtx) error {
		old, err := w.Workspace(ctx, workspaceID)
		if errors.Is(err, ErrNoRow) {
			return protocol.Errorf(protocol.ENotFound, "no such workspace").Because(protocol.RNoWorkspace)
		}
		if err != nil {
			return err
		}
		if err := w.UpdateWorkspaceSettings(ctx, workspaceID, settings); err != nil {
			return err
		}
		if err := w.audit(ctx, AuditWorkspaceUpdate, old.ID, old.Name, settingsChange(old.Settings, settings)); err != nil {
			return err
		}
		ws := old
		ws.Settings = settings
		v := newView(w)
		v.ws[ws.ID] = ws
		members, err := w.WorkspaceMembers(ctx, ws.ID)
		if err != nil {
			return err
		}
		if err := w.emitWorkspace(ctx, protocol.EvWorkspaceUpdate, publicWorkspace(ws), ws.ID); err != nil {
			return err
		}
		if old.Settings.ExternalChat != settings.ExternalChat {
			if err := s.refreshExternalRooms(ctx, w, v, members); err != nil {
				return err
			}
		}
		if slices.Equal(visibleKeys(old.Settings), visibleKeys(settings)) {
			return nil
		}
		for _, m := range members {
			m.Version++
			if err := w.UpdateMember(ctx, m); err != nil {
				return err
			}
			if err := v.emitProfile(ctx, w, m, profileOf(m, ws)); err != nil {
				return err
			}
		}
		return nil
	})
	return s.clientError("update workspace", err)
}

// refreshExternalRooms closes the 1:1 rooms of members with external members
// that can no longer be used, and reopens those that can again, so clients
// can tell before anyone tries to send.
func (s *Service) refreshExternalRooms(ctx context.Context, w *wtx, v *view, members []MemberRow) error {
	for _, m := range members {
		rooms, err := w.MemberRooms(ctx, m.ID)
		if err != nil {
			return err
		}
		for _, r := range rooms {
			if r.Kind != protocol.RoomDirect {
				continue
			}
			ids, err := w.RoomMembers(ctx, r.ID)
			if err != nil {
				return err
			}
			for _, id := range ids {
				if id == m.ID {
					continue
				}
				other, err := v.member(ctx, id)
				if err != nil {
					return err
				}
				if other.WorkspaceID == m.WorkspaceID {
					continue
				}
				err = v.checkExternalChat(ctx, m, other)
				var refusal *protocol.Error
				if err != nil && !errors.As(err, &refusal) {
					return err
				}
				if closed := err != nil; closed != r.Closed {
					if err := s.setClosed(ctx, w, v, r, closed); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// settingsChange says in a few words what changed between two settings,
// for the audit log.
func settingsChange(old, new protocol.WorkspaceSettings) string {
	var parts []string
	flag := func(name string, a, b bool) {
		if a != b {
			parts = append(parts, fmt.Sprintf("%s %s", name, map[bool]string{true: "on", false: "off"}[b]))
		}
	}
	flag("external chat", old.ExternalChat, new.ExternalChat)
	flag("name editable", old.NameEditable, new.NameEditable)
	flag("picture editable", old.PictureEditable, new.PictureEditable)
	for _, f := range new.Fields {
		o, ok := old.Field(f.Key)
		switch {
		case !ok:
			parts = append(parts, "field "+f.Key+" added")
		case o != f:
			parts = append(parts, "field "+f.Key+" changed")
		}
	}
	for _, f := range old.Fields {
		if _, ok := new.Field(f.Key); !ok {
			parts = append(parts, "field "+f.Key+" removed")
		}
	}
	if len(parts) == 0 {
		return "no change"
	}
	return strings.Join(parts, ", ")
}

func adminNote(admin bool) string {
	if admin {
		return "admin"
	}
	return ""
}

func visibleKeys(s protocol.WorkspaceSettings) []string {
	var keys []string
	for _, f := range s.Fields {
		if f.Visible {
			keys = append(keys, f.Key)
		}
	}
	slices.Sort(keys)
	return keys
}

// CreateMember adds a member to a workspace. The "email" profile field, when
// the workspace defines one and m.Fields does not set it, is the sign-in
// e-mail. Errors: ENotFound (workspace), EInvalid, ETooLarge, EConflict (the
// e-mail is taken in that workspace).
func (s *Service) CreateMember(ctx context.Context, m NewMember) (protocol.Profile, error) {
	email, err := checkEmail(m.Email)
	if err != nil {
		return protocol.Profile{}, err
	}
	if err := validatePassword(m.Password); err != nil {
		return protocol.Profile{}, err
	}
	name, err := checkName(m.Name)
	if err != nil {
		return protocol.Profile{}, err
	}
	hash, err := s.hash(ctx, m.Password)
	if err != nil {
		return protocol.Profile{}, s.clientError("create member", err)
	}
	var p protocol.Profile
	err = s.write(ctx, func(w *wtx) error {
		ws, err := w.Workspace(ctx, m.WorkspaceID)
		if errors.Is(err, ErrNoRow) {
			return protocol.Errorf(protocol.ENotFound, "no such workspace").Because(protocol.RNoWorkspace)
		}
		if err != nil {
			return err
		}
		fields, err := checkFields(ws.Settings, email, m.Fields)
		if err != nil {
			return err
		}
		same, err := w.MembersByEmail(ctx, email)
		if err != nil {
			return err
		}
		for _, x := range same {
			if x.WorkspaceID == ws.ID {
				return protocol.FieldError(protocol.EConflict, "email", "%s already has a member with this e-mail", ws.Name).Because(protocol.RExists)
			}
		}
		row := MemberRow{ID: protocol.NewID(), WorkspaceID: ws.ID, Email: email, PasswordHash: hash,
			Name: name, Fields: fields, Admin: m.Admin, Version: 1, CreatedAt: w.now}
		if err := w.InsertMember(ctx, row); err != nil {
			return err
		}
		p = profileOf(row, ws)
		if err := newView(w).emitProfile(ctx, w, row, p); err != nil {
			return err
		}
		return w.audit(ctx, AuditMemberCreate, ws.ID, row.Email, adminNote(row.Admin))
	})
	if err != nil {
		return protocol.Profile{}, s.clientError("create member", err)
	}
	return p, nil
}
