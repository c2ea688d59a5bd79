package service

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"
	"unicode/utf8"

	"worktalk.dev/worktalk/protocol"
)

// checkEmail returns a sign-in e-mail as stored: trimmed, lower case.
// Errors: EInvalid.
func checkEmail(e string) (string, error) {
	email := strings.ToLower(strings.TrimSpace(e))
	def := protocol.FieldDef{Key: "email", Label: "E-mail", Kind: protocol.FieldEmail, MaxLen: protocol.MaxEmailLen}
	if err := protocol.ValidateFieldValue(def, email); err != nil || email == "" {
		return "", protocol.FieldError(protocol.EInvalid, "email", "e-mail must be an address such as name@example.com").Because(protocol.REmail)
	}
	return email, nil
}

// checkName returns a member's name as stored. Errors: EInvalid, ETooLarge.
func checkName(n string) (string, error) {
	if err := protocol.ValidateName(n); err != nil {
		return "", err
	}
	return normalizeName("name", n, protocol.MaxNameLen)
}

// validatePassword checks a new password. Errors: EInvalid.
func validatePassword(pw string) error {
	if n := utf8.RuneCountInString(pw); n < protocol.MinPasswordLen || n > protocol.MaxPasswordLen {
		return protocol.FieldError(protocol.EInvalid, "password", "password must be %d to %d characters", protocol.MinPasswordLen, protocol.MaxPasswordLen).Because(protocol.RLength)
	}
	if strings.IndexByte(pw, 0) >= 0 {
		return errNUL
	}
	return nil
}

// checkFields returns the profile fields to store for a new member: every
// key a field of the workspace (hidden ones included), every value valid,
// empty ones left out, and the "email" field, when the workspace has one
// and it is not given, the sign-in e-mail. Errors: EInvalid, ETooLarge.
func checkFields(s protocol.WorkspaceSettings, email string, in map[string]string) (map[string]string, error) {
	fields := make(map[string]string, len(in)+1)
	for k, val := range in {
		def, ok := s.Field(k)
		if !ok {
			return nil, protocol.FieldError(protocol.EInvalid, k, "there is no profile field %q", cut(k, 40)).Because(protocol.RNoField)
		}
		if err := protocol.ValidateFieldValue(def, val); err != nil {
			return nil, err
		}
		if val != "" {
			fields[k] = val
		}
	}
	if def, ok := s.Field("email"); ok && def.Kind == protocol.FieldEmail && fields["email"] == "" {
		fields["email"] = email
	}
	return fields, nil
}

// ImportRow is one member of a bulk import, from line Line of the admin's
// file.
type ImportRow struct {
	Line   int
	Email  string
	Name   string
	Fields map[string]string // by field key; "" leaves a field empty
	// Problem is what the file's reader found wrong with the line (say,
	// more cells than columns); it is reported with the others.
	Problem string
}

// RowError is what is wrong with one line of a file.
type RowError struct {
	Line    int
	Field   string // "email", "name" or a field key; "" for the whole line
	Message string
}

// RowErrors lists every bad line of a bulk change, which then changed
// nothing.
type RowErrors []RowError

func (e RowErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d bad lines, nothing changed:", len(e))
	for _, r := range e {
		fmt.Fprintf(&b, "\nline %d: %s", r.Line, r.Message)
	}
	return b.String()
}

// rowError makes a RowError of a validation error.
func rowError(line int, err error) RowError {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return RowError{Line: line, Field: pe.Field, Message: pe.Message}
	}
	return RowError{Line: line, Message: err.Error()}
}

// Activation is a member's one-time link to set their first password.
type Activation struct {
	MemberID  string
	Email     string
	Name      string
	URL       string // PUBLIC_URL/activate/TOKEN
	ExpiresAt time.Time
}

// DefaultActivationTTL is how long an activation link works by default.
const DefaultActivationTTL = 14 * 24 * time.Hour

// maxImportRows bounds one bulk change (it is one transaction).
const maxImportRows = 100_000

// ImportMembers adds many members to a workspace at once, all or none:
// every row is checked first (e-mail, name, fields, e-mails repeated in
// the file or already in the workspace) and if any is bad, RowErrors lists
// each bad one and nothing is imported. No password is set: each member
// gets an activation link (a 256-bit token, stored only as its hash) that
// works once, until ttl has passed (0: DefaultActivationTTL), and sets
// their first password (Activate). source names the file for the audit
// log. Errors: RowErrors, ENotFound (workspace), EInvalid.
func (s *Service) ImportMembers(ctx context.Context, workspaceID string, rows []ImportRow, ttl time.Duration, source string) ([]Activation, error) {
	if len(rows) == 0 {
		return nil, protocol.Errorf(protocol.EInvalid, "the file has no members").Because(protocol.REmpty)
	}
	if len(rows) > maxImportRows {
		return nil, protocol.Errorf(protocol.ETooLarge, "at most %d members at once", maxImportRows).Because(protocol.RTooLong)
	}
	if ttl <= 0 {
		ttl = DefaultActivationTTL
	}
	var out []Activation
	err := s.write(ctx, func(w *wtx) error {
		ws, err := w.Workspace(ctx, workspaceID)
		if errors.Is(err, ErrNoRow) {
			return protocol.Errorf(protocol.ENotFound, "no such workspace").Because(protocol.RNoWorkspace)
		}
		if err != nil {
			return err
		}
		members, bad, err := s.importable(ctx, w, ws, rows)
		if err != nil {
			return err
		}
		if len(bad) > 0 {
			return bad
		}
		out = make([]Activation, 0, len(members))
		expires := w.now.Add(ttl)
		for _, m := range members {
			m.ID, m.Version, m.CreatedAt = protocol.NewID(), 1, w.now
			if err := w.InsertMember(ctx, m); err != nil {
				return err
			}
			// A new member has no external relations: the workspace sees
			// them, nobody else.
			if err := w.emitWorkspace(ctx, protocol.EvMemberUpsert, profileOf(m, ws), ws.ID); err != nil {
				return err
			}
			tok := newToken()
			a := ActivationRow{TokenHash: tokenHash(tok), MemberID: m.ID, CreatedAt: w.now, ExpiresAt: expires}
			if err := w.InsertActivation(ctx, a); err != nil {
				return err
			}
			out = append(out, Activation{MemberID: m.ID, Email: m.Email, Name: m.Name, URL: s.activationURL(tok), ExpiresAt: expires})
		}
		return w.audit(ctx, AuditMemberImport, ws.ID, fmt.Sprintf("%d members", len(members)), source)
	})
	var bad RowErrors
	if errors.As(err, &bad) {
		return nil, bad
	}
	if err != nil {
		return nil, s.clientError("import members", err)
	}
	return out, nil
}

// importable checks every row and returns the members to insert (without
// id, version and time) and the bad rows.
func (s *Service) importable(ctx context.Context, tx Tx, ws WorkspaceRow, rows []ImportRow) ([]MemberRow, RowErrors, error) {
	existing, err := tx.WorkspaceMembers(ctx, ws.ID)
	if err != nil {
		return nil, nil, err
	}
	taken := make(map[string]bool, len(existing))
	for _, m := range existing {
		taken[m.Email] = true
	}
	firstLine := make(map[string]int, len(rows))
	var bad RowErrors
	members := make([]MemberRow, 0, len(rows))
	for _, r := range rows {
		if r.Problem != "" {
			bad = append(bad, RowError{Line: r.Line, Message: r.Problem})
			continue
		}
		email, err := checkEmail(r.Email)
		if err != nil {
			bad = append(bad, rowError(r.Line, fmt.Errorf("e-mail %q is not an address such as name@example.com", cut(r.Email, 80))))
			continue
		}
		if line, ok := firstLine[email]; ok {
			bad = append(bad, RowError{Line: r.Line, Field: "email", Message: fmt.Sprintf("%s is also on line %d", email, line)})
			continue
		}
		firstLine[email] = r.Line
		if taken[email] {
			bad = append(bad, RowError{Line: r.Line, Field: "email", Message: fmt.Sprintf("%s is already a member of %s", email, ws.Name)})
			continue
		}
		name, err := checkName(r.Name)
		if err != nil {
			bad = append(bad, rowError(r.Line, err))
			continue
		}
		fields, err := checkFields(ws.Settings, email, r.Fields)
		if err != nil {
			bad = append(bad, rowError(r.Line, err))
			continue
		}
		members = append(members, MemberRow{WorkspaceID: ws.ID, Email: email, Name: name, Fields: fields})
	}
	return members, bad, nil
}

// activationURL is the link that carries an activation token.
func (s *Service) activationURL(tok string) string { return s.publicURL + "/activate/" + tok }

// UpdateRow is a change to one member in a bulk update, from line Line of
// the admin's file: the member with Email gets Name (when not nil) and
// every field in Fields ("" clears it).
type UpdateRow struct {
	Line    int
	Email   string
	Name    *string
	Fields  map[string]string
	Problem string // as ImportRow.Problem
}

// UpdateMembers changes many members of a workspace at once, all or none:
// every row is checked first (a member of the workspace, named once in the
// file, a valid name and fields) and if any is bad, RowErrors lists each
// bad one and nothing changes. A member whose values are already those
// is left alone; each changed one gets a new version, which their viewers
// and rooms are sent, and a line in the audit log. It returns how many
// changed. Errors: RowErrors, ENotFound (workspace).
func (s *Service) UpdateMembers(ctx context.Context, workspaceID string, rows []UpdateRow) (int, error) {
	if len(rows) > maxImportRows {
		return 0, protocol.Errorf(protocol.ETooLarge, "at most %d members at once", maxImportRows).Because(protocol.RTooLong)
	}
	changed := 0
	err := s.write(ctx, func(w *wtx) error {
		ws, err := w.Workspace(ctx, workspaceID)
		if errors.Is(err, ErrNoRow) {
			return protocol.Errorf(protocol.ENotFound, "no such workspace").Because(protocol.RNoWorkspace)
		}
		if err != nil {
			return err
		}
		existing, err := w.WorkspaceMembers(ctx, ws.ID)
		if err != nil {
			return err
		}
		byEmail := make(map[string]MemberRow, len(existing))
		for _, m := range existing {
			byEmail[m.Email] = m
		}
		firstLine := make(map[string]int, len(rows))
		type change struct {
			m       MemberRow
			renamed bool
			what    []string
		}
		var bad RowErrors
		var changes []change
		for _, r := range rows {
			if r.Problem != "" {
				bad = append(bad, RowError{Line: r.Line, Message: r.Problem})
				continue
			}
			email := strings.ToLower(strings.TrimSpace(r.Email))
			m, ok := byEmail[email]
			if !ok {
				bad = append(bad, RowError{Line: r.Line, Field: "email", Message: fmt.Sprintf("%s is not a member of %s", cut(r.Email, 80), ws.Name)})
				continue
			}
			if line, ok := firstLine[email]; ok {
				bad = append(bad, RowError{Line: r.Line, Field: "email", Message: fmt.Sprintf("%s is also on line %d", email, line)})
				continue
			}
			firstLine[email] = r.Line
			c := change{m: m}
			if r.Name != nil {
				name, err := checkName(*r.Name)
				if err != nil {
					bad = append(bad, rowError(r.Line, err))
					continue
				}
				if name != m.Name {
					c.m.Name, c.renamed = name, true
					c.what = append(c.what, "name")
				}
			}
			if len(r.Fields) > 0 {
				set, err := checkFields(ws.Settings, m.Email, r.Fields)
				if err != nil {
					bad = append(bad, rowError(r.Line, err))
					continue
				}
				c.m.Fields = maps.Clone(m.Fields)
				if c.m.Fields == nil {
					c.m.Fields = map[string]string{}
				}
				for k := range r.Fields {
					if set[k] == m.Fields[k] {
						continue
					}
					if set[k] == "" {
						delete(c.m.Fields, k)
					} else {
						c.m.Fields[k] = set[k]
					}
					c.what = append(c.what, k)
				}
			}
			if len(c.what) > 0 {
				changes = append(changes, c)
			}
		}
		if len(bad) > 0 {
			return bad
		}
		v := newView(w)
		v.ws[ws.ID] = ws
		for _, c := range changes {
			c.m.Version++
			if err := w.UpdateMember(ctx, c.m); err != nil {
				return err
			}
			if err := v.emitProfile(ctx, w, c.m, profileOf(c.m, ws)); err != nil {
				return err
			}
			if c.renamed {
				if err := s.renameInRooms(ctx, w, v, c.m.ID); err != nil {
					return err
				}
			}
			if err := w.audit(ctx, AuditMemberUpdate, ws.ID, c.m.Email, strings.Join(c.what, ", ")); err != nil {
				return err
			}
		}
		changed = len(changes)
		return nil
	})
	var bad RowErrors
	if errors.As(err, &bad) {
		return 0, bad
	}
	if err != nil {
		return 0, s.clientError("update members", err)
	}
	return changed, nil
}
