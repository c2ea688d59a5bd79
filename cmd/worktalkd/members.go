package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"worktalk.dev/worktalk/server/service"
)

type importFlags struct {
	workspace string
	publicURL string
	out       string
	ttl       time.Duration
	file      string
}

// memberImport runs "member import": every line of the file checked
// first, then all imported at once, or none; the activation links go to
// --out (or stdout) as CSV.
func (m *Main) memberImport(ctx context.Context, f importFlags) error {
	if f.workspace == "" || f.publicURL == "" {
		return errors.New("--workspace and --public-url (the server's address, for the activation links) are required")
	}
	ws, err := m.workspaceRow(ctx, f.workspace)
	if err != nil {
		return err
	}
	mf, err := readMemberFile(f.file, ws.Settings)
	if err != nil {
		return fmt.Errorf("%s: %w", f.file, err)
	}
	if mf.name < 0 {
		return fmt.Errorf("%s: line 1: the header has no name column", f.file)
	}
	rows := make([]service.ImportRow, 0, len(mf.records))
	for _, r := range mf.records {
		row := service.ImportRow{Line: r.line, Email: r.cell(mf.email), Name: r.cell(mf.name), Fields: map[string]string{}, Problem: mf.tooWide(r)}
		for i, key := range mf.fields {
			row.Fields[key] = r.cell(i)
		}
		rows = append(rows, row)
	}
	var bad service.RowErrors
	var out io.Writer = m.Stdout
	if f.out != "" {
		// The links are secrets: the file is the admin's alone, and an
		// existing one is not overwritten.
		file, err := os.OpenFile(f.out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		defer file.Close()
		out = file
	}
	start := time.Now()
	links, err := m.Service.ImportMembers(ctx, f.workspace, rows, f.ttl, filepath.Base(f.file))
	if errors.As(err, &bad) {
		if f.out != "" {
			os.Remove(f.out)
		}
		return m.reportBad(f.file, bad, "imported")
	}
	if err != nil {
		if f.out != "" {
			os.Remove(f.out)
		}
		return fmt.Errorf("import: %w", err)
	}
	if err := writeActivations(out, links, f.out != ""); err != nil {
		return fmt.Errorf("write the activation links: %w", err)
	}
	where := "below"
	if f.out != "" {
		where = "in " + f.out
	}
	fmt.Fprintf(m.Stderr, "imported %d members into %s in %v; their activation links (valid until %s) are %s\n",
		len(links), ws.Name, time.Since(start).Round(time.Millisecond), links[0].ExpiresAt.Local().Format(time.DateTime), where)
	return nil
}

// writeActivations writes the links as CSV, with a byte order mark for a
// file (spreadsheet programs then read it as UTF-8).
func writeActivations(w io.Writer, links []service.Activation, bom bool) error {
	if bom {
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"email", "name", "activation_url", "expires"})
	for _, l := range links {
		cw.Write([]string{l.Email, l.Name, l.URL, l.ExpiresAt.Local().Format(time.DateTime)})
	}
	cw.Flush()
	return cw.Error()
}

// memberUpdate runs "member update": the members named by e-mail get the
// name and fields of their line (an empty cell clears a field), all or
// none.
func (m *Main) memberUpdate(ctx context.Context, workspaceID, file string) error {
	if workspaceID == "" {
		return errors.New("--workspace is required")
	}
	ws, err := m.workspaceRow(ctx, workspaceID)
	if err != nil {
		return err
	}
	mf, err := readMemberFile(file, ws.Settings)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	rows := make([]service.UpdateRow, 0, len(mf.records))
	for _, r := range mf.records {
		row := service.UpdateRow{Line: r.line, Email: r.cell(mf.email), Fields: map[string]string{}, Problem: mf.tooWide(r)}
		if mf.name >= 0 {
			name := r.cell(mf.name)
			row.Name = &name
		}
		for i, key := range mf.fields {
			row.Fields[key] = r.cell(i)
		}
		rows = append(rows, row)
	}
	var bad service.RowErrors
	n, err := m.Service.UpdateMembers(ctx, workspaceID, rows)
	if errors.As(err, &bad) {
		return m.reportBad(file, bad, "changed")
	}
	if err != nil {
		return fmt.Errorf("update: %w", err)
	}
	fmt.Fprintf(m.Stdout, "updated %d of the %d members in %s (the others were already so)\n", n, len(rows), file)
	return nil
}

// reportBad prints every bad line and returns the command's error.
func (m *Main) reportBad(file string, bad service.RowErrors, verb string) error {
	for _, b := range bad {
		fmt.Fprintf(m.Stderr, "%s:%d: %s\n", file, b.Line, b.Message)
	}
	return fmt.Errorf("%s: %d bad lines; nothing was %s", file, len(bad), verb)
}

// workspaceRow reads a workspace. Errors name an unknown id.
func (m *Main) workspaceRow(ctx context.Context, id string) (service.WorkspaceRow, error) {
	var row service.WorkspaceRow
	err := m.DB.Read(ctx, func(tx service.Tx) error {
		var err error
		row, err = tx.Workspace(ctx, id)
		return err
	})
	if errors.Is(err, service.ErrNoRow) {
		return row, fmt.Errorf("no workspace %s", id)
	}
	return row, err
}
