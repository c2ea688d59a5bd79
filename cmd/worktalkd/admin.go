package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"worktalk.dev/worktalk/cmd/internal/cli"
	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

// parseAdmin parses the admin subcommands: "workspace create|list|set",
// "member create|list|import|update|disable|enable" and "audit list".
func (m *Main) parseAdmin(cmd string, args []string) error {
	fs := m.newFlagSet(cmd)
	var db dbFlags
	db.register(fs)
	var run func(ctx context.Context) error
	var imp importFlags
	var file *string // set by the commands that read a FILE.csv argument
	publicURL := new(string)
	switch cmd {
	case "workspace create":
		name := fs.String("name", "", "workspace `NAME`")
		ext := fs.String("external-chat", "on", "allow chatting with external members: `on|off`")
		run = func(ctx context.Context) error { return m.workspaceCreate(ctx, *name, *ext) }
	case "workspace list":
		run = m.workspaceList
	case "workspace set":
		var w workspaceSet
		fs.StringVar(&w.id, "id", "", "workspace `ID`")
		fs.StringVar(&w.external, "external-chat", "", "allow chatting with external members: `on|off`")
		fs.StringVar(&w.nameEditable, "name-editable", "", "members may change their name: `on|off`")
		fs.StringVar(&w.pictureEditable, "picture-editable", "", "members may change their picture: `on|off`")
		fs.Var(&w.fields, "field", "profile field `KEY:FLAGS`, FLAGS a comma list of visible|hidden and "+
			"editable|readonly (e.g. title:visible,editable); an unknown KEY adds a text field; repeatable")
		run = func(ctx context.Context) error { return m.workspaceSet(ctx, w) }
	case "member create":
		var nm newMemberFlags
		fs.StringVar(&nm.workspace, "workspace", "", "workspace `ID`")
		fs.StringVar(&nm.email, "email", "", "sign-in `EMAIL`")
		fs.StringVar(&nm.name, "name", "", "display `NAME`")
		fs.StringVar(&nm.password, "password", "", "`PASSWORD` (default: read one line from stdin)")
		fs.BoolVar(&nm.admin, "admin", false, "make the member a workspace admin")
		fs.Var(&nm.fields, "set", "profile field value `KEY=VALUE`; repeatable")
		run = func(ctx context.Context) error { return m.memberCreate(ctx, nm) }
	case "member list":
		ws := fs.String("workspace", "", "workspace `ID`")
		run = func(ctx context.Context) error { return m.memberList(ctx, *ws) }
	case "member import":
		fs.StringVar(&imp.workspace, "workspace", "", "workspace `ID`")
		fs.StringVar(&imp.publicURL, "public-url", "", "the server's `URL` as members reach it, for the activation links (serve's --public-url)")
		fs.StringVar(&imp.out, "out", "", "write the activation links to `FILE` (made 0600, never overwritten); default: stdout")
		fs.DurationVar(&imp.ttl, "link-ttl", service.DefaultActivationTTL, "how long the activation links work")
		file, publicURL = &imp.file, &imp.publicURL
		run = func(ctx context.Context) error { return m.memberImport(ctx, imp) }
	case "member update":
		ws := fs.String("workspace", "", "workspace `ID`")
		var path string
		file = &path
		run = func(ctx context.Context) error { return m.memberUpdate(ctx, *ws, path) }
	case "member disable", "member enable":
		ws := fs.String("workspace", "", "workspace `ID`")
		who := fs.String("member", "", "the member's `EMAIL` or id")
		disable := cmd == "member disable"
		run = func(ctx context.Context) error { return m.memberSetDeparted(ctx, *ws, *who, disable) }
	case "audit list":
		ws := fs.String("workspace", "", "only the changes of workspace `ID`")
		limit := fs.Int("limit", 50, "show the newest `N` changes (at most 1000)")
		run = func(ctx context.Context) error { return m.auditList(ctx, *ws, *limit) }
	default:
		return fmt.Errorf("unknown command %q", cmd)
	}
	if err := m.parse(fs, cmd, args); err != nil {
		return err
	}
	switch {
	case file != nil && fs.NArg() != 1:
		return fmt.Errorf("%s: give one FILE.csv after the flags", cmd)
	case file != nil:
		*file = fs.Arg(0)
	case fs.NArg() > 0:
		return fmt.Errorf("%s: unexpected arguments %q", cmd, fs.Args())
	}
	if err := db.check(); err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	m.run = func(ctx context.Context) error {
		if err := m.openStore(ctx, db); err != nil {
			return err
		}
		// Changes reach running nodes' clients through their own database
		// poll (several nodes) or at their next sync.
		m.openService(*publicURL, nil, service.Keys{}, 0)
		return run(service.WithActor(ctx, m.actor()))
	}
	return nil
}

func (m *Main) workspaceCreate(ctx context.Context, name, external string) error {
	ext, err := onOff("external-chat", external)
	if err != nil {
		return err
	}
	settings := service.DefaultSettings()
	if ext != nil {
		settings.ExternalChat = *ext
	}
	ws, err := m.Service.CreateWorkspace(ctx, name, settings)
	if err != nil {
		return fmt.Errorf("create workspace: %w", err)
	}
	fmt.Fprintf(m.Stdout, "created workspace %s %q\n", ws.ID, ws.Name)
	return nil
}

func (m *Main) workspaceList(ctx context.Context) error {
	var rows []service.WorkspaceRow
	err := m.DB.Read(ctx, func(tx service.Tx) error {
		var err error
		rows, err = tx.Workspaces(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("list workspaces: %w", err)
	}
	var tb cli.Table
	tb.Row("ID", "NAME", "EXTERNAL CHAT", "FIELDS")
	for _, w := range rows {
		tb.Row(w.ID, w.Name, onOffString(w.Settings.ExternalChat), fieldSummary(w.Settings))
	}
	_, err = tb.WriteTo(m.Stdout)
	return err
}

func onOffString(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// fieldSummary lists fields as key:visible,editable.
func fieldSummary(s protocol.WorkspaceSettings) string {
	parts := make([]string, 0, len(s.Fields))
	for _, f := range s.Fields {
		vis, ed := "hidden", "readonly"
		if f.Visible {
			vis = "visible"
		}
		if f.Editable {
			ed = "editable"
		}
		parts = append(parts, f.Key+":"+vis+","+ed)
	}
	return strings.Join(parts, " ")
}

type workspaceSet struct {
	id              string
	external        string
	nameEditable    string
	pictureEditable string
	fields          listFlag
}

func (m *Main) workspaceSet(ctx context.Context, w workspaceSet) error {
	if w.id == "" {
		return errors.New("--id is required")
	}
	var row service.WorkspaceRow
	err := m.DB.Read(ctx, func(tx service.Tx) error {
		var err error
		row, err = tx.Workspace(ctx, w.id)
		return err
	})
	if errors.Is(err, service.ErrNoRow) {
		return fmt.Errorf("no workspace %s", w.id)
	}
	if err != nil {
		return fmt.Errorf("read workspace: %w", err)
	}
	s := row.Settings
	for _, sw := range []struct {
		name string
		v    string
		dst  *bool
	}{
		{"external-chat", w.external, &s.ExternalChat},
		{"name-editable", w.nameEditable, &s.NameEditable},
		{"picture-editable", w.pictureEditable, &s.PictureEditable},
	} {
		b, err := onOff(sw.name, sw.v)
		if err != nil {
			return err
		}
		if b != nil {
			*sw.dst = *b
		}
	}
	for _, spec := range w.fields {
		if s.Fields, err = applyFieldSpec(s.Fields, spec); err != nil {
			return err
		}
	}
	if err := m.Service.UpdateWorkspaceSettings(ctx, w.id, s); err != nil {
		return fmt.Errorf("update workspace: %w", err)
	}
	fmt.Fprintf(m.Stdout, "updated workspace %s: external chat %s; fields %s\n", w.id, onOffString(s.ExternalChat), fieldSummary(s))
	return nil
}

// applyFieldSpec applies "KEY:FLAGS" to fields, adding a text field for an
// unknown key. Flags not named keep their value (new fields start hidden
// and read-only).
func applyFieldSpec(fields []protocol.FieldDef, spec string) ([]protocol.FieldDef, error) {
	key, flags, ok := strings.Cut(spec, ":")
	key = strings.TrimSpace(key)
	if !ok || key == "" {
		return nil, fmt.Errorf("--field %q: want KEY:FLAGS, e.g. title:visible,editable", spec)
	}
	fields = slices.Clone(fields)
	i := slices.IndexFunc(fields, func(f protocol.FieldDef) bool { return f.Key == key })
	if i < 0 {
		fields = append(fields, protocol.FieldDef{Key: key, Label: key, LabelKo: key, Kind: protocol.FieldText})
		i = len(fields) - 1
	}
	for _, fl := range strings.Split(flags, ",") {
		switch strings.TrimSpace(fl) {
		case "visible":
			fields[i].Visible = true
		case "hidden":
			fields[i].Visible = false
		case "editable":
			fields[i].Editable = true
		case "readonly":
			fields[i].Editable = false
		case "":
		default:
			return nil, fmt.Errorf("--field %q: unknown flag %q (want visible, hidden, editable or readonly)", spec, fl)
		}
	}
	return fields, nil
}

type newMemberFlags struct {
	workspace string
	email     string
	name      string
	password  string
	admin     bool
	fields    listFlag
}

func (m *Main) memberCreate(ctx context.Context, nm newMemberFlags) error {
	if nm.workspace == "" || nm.email == "" || nm.name == "" {
		return errors.New("--workspace, --email and --name are required")
	}
	pw := nm.password
	if pw == "" {
		line, err := bufio.NewReader(m.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return errors.New("no password: give --password or one line on stdin")
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	fields := make(map[string]string, len(nm.fields))
	for _, kv := range nm.fields {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("--set %q: want KEY=VALUE", kv)
		}
		fields[k] = v
	}
	p, err := m.Service.CreateMember(ctx, service.NewMember{
		WorkspaceID: nm.workspace,
		Email:       nm.email,
		Password:    pw,
		Name:        nm.name,
		Fields:      fields,
		Admin:       nm.admin,
	})
	if err != nil {
		return fmt.Errorf("create member: %w", err)
	}
	fmt.Fprintf(m.Stdout, "created member %s %q in %s\n", p.ID, p.Name, p.WorkspaceID)
	return nil
}

func (m *Main) memberList(ctx context.Context, workspaceID string) error {
	if workspaceID == "" {
		return errors.New("--workspace is required")
	}
	var rows []service.MemberRow
	err := m.DB.Read(ctx, func(tx service.Tx) error {
		var err error
		rows, err = tx.WorkspaceMembers(ctx, workspaceID)
		return err
	})
	if err != nil {
		return fmt.Errorf("list members: %w", err)
	}
	var tb cli.Table
	tb.Row("ID", "EMAIL", "NAME", "ADMIN", "STATUS")
	for _, r := range rows {
		tb.Row(r.ID, r.Email, r.Name, map[bool]string{true: "yes", false: ""}[r.Admin], memberStatus(r))
	}
	_, err = tb.WriteTo(m.Stdout)
	return err
}
